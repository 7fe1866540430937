/// PostgreSQL's schema, numbered like SQLite's and append-only: a migration that has shipped is never edited.
/// Times are seconds since 1970 (as in SQLite), so both stores read and write the same values.
enum PostgresMigrations {
    struct Migration {
        let name: String
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(name: "0001 identity and audit", statements: [
            """
            CREATE TABLE api_clients (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                created_at DOUBLE PRECISION NOT NULL
            )
            """,
            """
            CREATE TABLE citizen_sessions (
                token_hash TEXT PRIMARY KEY,
                client_id BIGINT NOT NULL REFERENCES api_clients(id),
                subject TEXT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL
            )
            """,
            """
            CREATE TABLE staff (
                id BIGSERIAL PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('clerk', 'manager', 'admin')),
                division_code TEXT NOT NULL CHECK (division_code ~ '^[0-9]{2,12}$'),
                created_at DOUBLE PRECISION NOT NULL,
                disabled_at DOUBLE PRECISION
            )
            """,
            "CREATE INDEX staff_division ON staff (division_code text_pattern_ops)",
            """
            CREATE TABLE staff_sessions (
                token_hash TEXT PRIMARY KEY,
                staff_id BIGINT NOT NULL REFERENCES staff(id),
                expires_at DOUBLE PRECISION NOT NULL
            )
            """,
            """
            CREATE TABLE audit_log (
                id BIGSERIAL PRIMARY KEY,
                at DOUBLE PRECISION NOT NULL,
                staff_id BIGINT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                before TEXT,
                after TEXT,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
        ]),
        Migration(name: "0002 look-up data", statements: [
            """
            CREATE TABLE divisions (
                code TEXT PRIMARY KEY CHECK (length(code) IN (2, 4, 6, 9)),
                name TEXT NOT NULL CHECK (name <> ''),
                functional_zone BOOLEAN NOT NULL DEFAULT false
            )
            """,
            "CREATE TABLE resource_types (slug TEXT PRIMARY KEY, name TEXT NOT NULL, position INTEGER NOT NULL)",
            """
            CREATE TABLE directory_entries (
                id BIGINT PRIMARY KEY,
                type TEXT NOT NULL REFERENCES resource_types(slug),
                name TEXT NOT NULL CHECK (name <> ''),
                division_code TEXT NOT NULL REFERENCES divisions(code),
                address TEXT NOT NULL,
                lat DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
                lng DOUBLE PRECISION NOT NULL CHECK (lng BETWEEN -180 AND 180),
                phone TEXT,
                opening_hours TEXT,
                services TEXT[] NOT NULL DEFAULT '{}',
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX directory_entries_type_division ON directory_entries (type, division_code, id)",
            """
            CREATE TABLE calendar_days (
                date TEXT PRIMARY KEY CHECK (date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
                kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
                name TEXT NOT NULL DEFAULT ''
            )
            """,
            "CREATE TABLE seed_imports (checksum TEXT PRIMARY KEY, imported_at DOUBLE PRECISION NOT NULL)",
            // As in SQLite: a staff member's division must exist.
            "ALTER TABLE staff ADD CONSTRAINT staff_division FOREIGN KEY (division_code) REFERENCES divisions(code)",
        ]),
        Migration(name: "0003 social organisations", statements: [
            """
            CREATE TABLE social_orgs (
                code TEXT PRIMARY KEY CHECK (length(code) = 18),
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('social_group', 'social_service', 'foundation')),
                status TEXT NOT NULL CHECK (status IN ('active', 'deregistered', 'registration_revoked', 'certificate_revoked')),
                authority TEXT NOT NULL,
                division_code TEXT NOT NULL REFERENCES divisions(code),
                registered_on TEXT NOT NULL,
                legal_representative TEXT NOT NULL,
                address TEXT NOT NULL,
                phone TEXT NOT NULL,
                inspections TEXT NOT NULL,
                list_entries TEXT NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            // Bumped by every import that changes a data set, so running instances know to reload it.
            "CREATE TABLE dataset_versions (name TEXT PRIMARY KEY, version BIGINT NOT NULL)",
        ]),
        Migration(name: "0004 bookings", statements: [
            // One row per (office, day, period, service) that has been booked or given a capacity.
            // The CHECK is the last line of defence: no write can ever leave a slot overbooked.
            """
            CREATE TABLE slots (
                office_id BIGINT NOT NULL REFERENCES directory_entries(id),
                date TEXT NOT NULL CHECK (date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
                period TEXT NOT NULL,
                service TEXT NOT NULL,
                capacity INTEGER NOT NULL CHECK (capacity >= 0),
                booked INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
                PRIMARY KEY (office_id, date, period, service)
            )
            """,
            """
            CREATE TABLE office_days (
                office_id BIGINT NOT NULL REFERENCES directory_entries(id),
                date TEXT NOT NULL CHECK (date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
                kind TEXT NOT NULL CHECK (kind IN ('closed', 'open')),
                reason TEXT NOT NULL,
                PRIMARY KEY (office_id, date)
            )
            """,
            // The code's constraint is named: the store tells a code collision from other unique violations by it.
            """
            CREATE TABLE bookings (
                id TEXT PRIMARY KEY,
                code TEXT NOT NULL CONSTRAINT bookings_code UNIQUE,
                client_id BIGINT NOT NULL REFERENCES api_clients(id),
                subject TEXT NOT NULL,
                office_id BIGINT NOT NULL,
                date TEXT NOT NULL,
                period TEXT NOT NULL,
                service TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled', 'cancelled_by_office', 'checked_in', 'no_show')),
                divorce_application_id TEXT REFERENCES bookings(id),
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                FOREIGN KEY (office_id, date, period, service) REFERENCES slots (office_id, date, period, service)
            )
            """,
            "CREATE INDEX bookings_owner ON bookings (client_id, subject, created_at)",
            "CREATE INDEX bookings_day ON bookings (office_id, date, status)",
            // Personal data encrypted (AES-GCM), masked copies for display, a keyed hash for equality.
            """
            CREATE TABLE booking_applicants (
                booking_id TEXT NOT NULL REFERENCES bookings(id),
                position INTEGER NOT NULL,
                id_hash TEXT NOT NULL,
                active BOOLEAN NOT NULL,
                booking_date TEXT NOT NULL,
                name_sealed BYTEA NOT NULL,
                id_sealed BYTEA NOT NULL,
                phone_sealed BYTEA NOT NULL,
                name_masked TEXT NOT NULL,
                id_masked TEXT NOT NULL,
                phone_masked TEXT NOT NULL,
                PRIMARY KEY (booking_id, position)
            )
            """,
            // One active booking per person, across all offices.
            "CREATE UNIQUE INDEX one_active_booking_per_person ON booking_applicants (id_hash) WHERE active",
            // Only inactive applicants (cancelled, no-show, days gone by), which the no-show rule reads.
            "CREATE INDEX booking_applicants_inactive ON booking_applicants (id_hash) WHERE NOT active",
            """
            CREATE TABLE idempotency_keys (
                client_id BIGINT NOT NULL,
                subject TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                response TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (client_id, subject, key)
            )
            """,
            // An office's own schedule; offices without a row have the standard one.
            """
            CREATE TABLE office_schedules (
                office_id BIGINT PRIMARY KEY REFERENCES directory_entries(id),
                periods TEXT NOT NULL,
                capacity_marriage INTEGER NOT NULL CHECK (capacity_marriage BETWEEN 0 AND 500),
                capacity_divorce_application INTEGER NOT NULL CHECK (capacity_divorce_application BETWEEN 0 AND 500),
                capacity_divorce_certificate INTEGER NOT NULL CHECK (capacity_divorce_certificate BETWEEN 0 AND 500),
                capacity_reissue INTEGER NOT NULL CHECK (capacity_reissue BETWEEN 0 AND 500),
                min_days_ahead INTEGER NOT NULL,
                max_days_ahead INTEGER NOT NULL,
                closing_hour INTEGER NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                release_minute INTEGER NOT NULL DEFAULT 480 CHECK (release_minute BETWEEN 0 AND 1439)
            )
            """,
            // Events are written in the transaction of the change that causes them; the delivery worker turns each
            // due one into deliveries ('fanned'). A cancelled booking's pending reminder becomes 'void'.
            """
            CREATE TABLE outbox_events (
                id BIGSERIAL PRIMARY KEY,
                type TEXT NOT NULL,
                office_id BIGINT,
                client_id BIGINT,
                booking_id TEXT,
                data TEXT NOT NULL,
                occurred_at DOUBLE PRECISION NOT NULL,
                due_at DOUBLE PRECISION NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fanned', 'void'))
            )
            """,
            "CREATE INDEX outbox_events_due ON outbox_events (due_at, id) WHERE state = 'pending'",
            // A booking's reminders in any state: voiding one also cancels the deliveries of one already fanned out.
            "CREATE INDEX outbox_events_reminders ON outbox_events (booking_id) WHERE type = 'booking.reminder'",
            // Events that fire once (capacity.nearly_full per office, day and service).
            "CREATE TABLE outbox_once (key TEXT PRIMARY KEY)",
            // Couples waiting for a full period (period NULL: any period of the day), served in `position` order.
            """
            CREATE TABLE waitlist_entries (
                position BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                client_id BIGINT NOT NULL,
                subject TEXT NOT NULL,
                office_id BIGINT NOT NULL,
                date TEXT NOT NULL,
                period TEXT,
                preferences TEXT,
                service TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('waiting', 'promoted', 'skipped', 'left')),
                booking_id TEXT,
                note TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX waitlist_entries_waiting ON waitlist_entries (office_id, date, service, position) WHERE status = 'waiting'",
            "CREATE INDEX waitlist_entries_owner ON waitlist_entries (client_id, subject)",
            """
            CREATE TABLE waitlist_applicants (
                entry_id TEXT NOT NULL REFERENCES waitlist_entries(id),
                position INTEGER NOT NULL,
                id_hash TEXT NOT NULL,
                waiting BOOLEAN NOT NULL,
                name_sealed BYTEA NOT NULL, id_sealed BYTEA NOT NULL, phone_sealed BYTEA NOT NULL,
                name_masked TEXT NOT NULL, id_masked TEXT NOT NULL, phone_masked TEXT NOT NULL,
                PRIMARY KEY (entry_id, position)
            )
            """,
            // A person waits in one queue at a time.
            "CREATE UNIQUE INDEX waitlist_applicants_waiting ON waitlist_applicants (id_hash) WHERE waiting",
            """
            CREATE TABLE high_demand_dates (
                office_id BIGINT NOT NULL,
                date TEXT NOT NULL,
                marked_by BIGINT NOT NULL,
                marked_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (office_id, date)
            )
            """,
            // One entry per couple and day, whichever office: more entries would be more chances.
            """
            CREATE TABLE draw_entries (
                id TEXT PRIMARY KEY,
                client_id BIGINT NOT NULL,
                subject TEXT NOT NULL,
                office_id BIGINT NOT NULL,
                date TEXT NOT NULL,
                service TEXT NOT NULL,
                couple_key TEXT NOT NULL,
                preferences TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('registered', 'won', 'waitlisted', 'ineligible')),
                rank INTEGER,
                period TEXT,
                booking_id TEXT,
                note TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                UNIQUE (date, couple_key)
            )
            """,
            "CREATE INDEX draw_entries_day ON draw_entries (office_id, date, status)",
            "CREATE INDEX draw_entries_owner ON draw_entries (client_id, subject)",
            """
            CREATE TABLE draw_applicants (
                entry_id TEXT NOT NULL REFERENCES draw_entries(id),
                position INTEGER NOT NULL,
                date TEXT NOT NULL,
                id_hash TEXT NOT NULL,
                name_sealed BYTEA NOT NULL, id_sealed BYTEA NOT NULL, phone_sealed BYTEA NOT NULL,
                name_masked TEXT NOT NULL, id_masked TEXT NOT NULL, phone_masked TEXT NOT NULL,
                PRIMARY KEY (entry_id, position)
            )
            """,
            // One entry per person and day: a couple key alone would let one person enter with several partners.
            "CREATE UNIQUE INDEX draw_applicants_person ON draw_applicants (date, id_hash)",
            // The seed is drawn, and its SHA-256 published, when the first couple registers: fixed before the entries
            // are known, so nobody can pick a seed that suits them.
            """
            CREATE TABLE draw_seeds (
                office_id BIGINT NOT NULL,
                date TEXT NOT NULL,
                seed TEXT NOT NULL,
                seed_hash TEXT NOT NULL,
                committed_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (office_id, date)
            )
            """,
            // The seed and the places at the draw: with the entries, enough for anyone to run it again.
            """
            CREATE TABLE draws (
                office_id BIGINT NOT NULL,
                date TEXT NOT NULL,
                seed TEXT NOT NULL,
                drawn_at DOUBLE PRECISION NOT NULL,
                places TEXT NOT NULL,
                PRIMARY KEY (office_id, date)
            )
            """,
        ]),
        Migration(name: "0005 notifications", statements: [
            """
            CREATE TABLE webhook_subscriptions (
                id BIGSERIAL PRIMARY KEY,
                channel TEXT NOT NULL CHECK (channel IN ('wecom', 'dingtalk', 'feishu', 'webhook')),
                url_sealed BYTEA NOT NULL,
                url_redacted TEXT NOT NULL,
                secret_sealed BYTEA,
                events TEXT NOT NULL,
                division_code TEXT,
                office_id BIGINT,
                client_id BIGINT REFERENCES api_clients(id),
                created_at DOUBLE PRECISION NOT NULL,
                removed_at DOUBLE PRECISION,
                paused_until DOUBLE PRECISION NOT NULL DEFAULT 0,
                CHECK ((client_id IS NULL) <> (division_code IS NULL))
            )
            """,
            // An app has one live webhook (replaceClientSubscription relies on it as SQLite does).
            """
            CREATE UNIQUE INDEX webhook_subscriptions_client ON webhook_subscriptions (client_id)
                WHERE removed_at IS NULL AND client_id IS NOT NULL
            """,
            // One per (event, subscription); the id is the `webhook-id` on every attempt. While a worker holds it
            // ('sending'), next_attempt_at is the end of its lease. Ids are compared byte by byte (COLLATE "C"), as
            // SQLite's BINARY does: the listing orders by id as a tie-breaker.
            """
            CREATE TABLE deliveries (
                id TEXT COLLATE "C" PRIMARY KEY,
                event_id BIGINT NOT NULL REFERENCES outbox_events(id),
                subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions(id),
                status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead', 'cancelled')),
                attempts INTEGER NOT NULL DEFAULT 0,
                failures INTEGER NOT NULL DEFAULT 0,
                next_attempt_at DOUBLE PRECISION NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                -- A first attempt that succeeded keeps its reply here instead of a delivery_attempts row (SQLite's 0009).
                first_http_status INTEGER,
                first_reply_code BIGINT,
                first_milliseconds BIGINT,
                UNIQUE (event_id, subscription_id)
            )
            """,
            // claim() reads this in (next_attempt_at, id) order, the order SQLite's index gives (ties by key).
            "CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status IN ('pending', 'sending')",
            "CREATE INDEX deliveries_subscription ON deliveries (subscription_id, created_at)",
            """
            CREATE TABLE delivery_attempts (
                delivery_id TEXT COLLATE "C" NOT NULL REFERENCES deliveries(id),
                number INTEGER NOT NULL,
                at DOUBLE PRECISION NOT NULL,
                outcome TEXT NOT NULL,
                http_status INTEGER,
                reply_code BIGINT,
                detail TEXT NOT NULL,
                milliseconds BIGINT NOT NULL,
                PRIMARY KEY (delivery_id, number)
            )
            """,
        ]),
        Migration(name: "0006 eldercare", statements: [
            """
            CREATE TABLE eldercare_facilities (
                id BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                name_pinyin TEXT NOT NULL,
                name_initials TEXT NOT NULL,
                division_code TEXT NOT NULL REFERENCES divisions(code),
                address TEXT NOT NULL,
                lat DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
                lng DOUBLE PRECISION NOT NULL CHECK (lng BETWEEN -180 AND 180),
                nature TEXT NOT NULL CHECK (nature IN ('public', 'private', 'public_built_private_run')),
                beds_total BIGINT NOT NULL CHECK (beds_total >= 0),
                beds_free BIGINT NOT NULL CHECK (beds_free BETWEEN 0 AND beds_total),
                care_levels TEXT[] NOT NULL,
                medical TEXT NOT NULL CHECK (medical IN ('onsite_clinic', 'partner_clinic', 'none')),
                star INTEGER NOT NULL CHECK (star BETWEEN 0 AND 5),
                price_min BIGINT NOT NULL,
                price_max BIGINT NOT NULL CHECK (price_max >= price_min),
                phone TEXT NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            // A division and everything under it: division_code LIKE '3201%'.
            "CREATE INDEX eldercare_facilities_division ON eldercare_facilities (division_code text_pattern_ops)",
        ]),
        Migration(name: "0007 service catalogue, applications", statements: [
            // The province's items and guides; every level's own copy of the four shared attributes (三级四同,
            // checked by the import and by `minzheng catalogue check`); every level's hall.
            """
            CREATE TABLE service_items (
                code TEXT PRIMARY KEY,
                topic TEXT NOT NULL,
                type TEXT NOT NULL,
                name TEXT NOT NULL,
                legal_basis TEXT NOT NULL,
                guide TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE service_publications (
                division_code TEXT NOT NULL,
                item_code TEXT NOT NULL,
                type TEXT NOT NULL,
                name TEXT NOT NULL,
                legal_basis TEXT NOT NULL,
                service_window TEXT NOT NULL,
                PRIMARY KEY (division_code, item_code)
            )
            """,
            """
            CREATE TABLE service_halls (
                division_code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                address TEXT NOT NULL,
                phone TEXT NOT NULL,
                hours TEXT NOT NULL
            )
            """,
            // Applications: the applicant sealed as bookings' are; `lookup_hash` is the keyed hash of the number and
            // the ID number's last six characters; `timeline` the steps as JSON.
            """
            CREATE TABLE applications (
                number TEXT PRIMARY KEY,
                item_code TEXT NOT NULL,
                item_name TEXT NOT NULL,
                division_code TEXT NOT NULL,
                client_id BIGINT NOT NULL,
                subject TEXT NOT NULL,
                name_sealed BYTEA NOT NULL,
                id_number_sealed BYTEA NOT NULL,
                phone_sealed BYTEA NOT NULL,
                id_hash TEXT NOT NULL,
                masked TEXT NOT NULL,
                lookup_hash TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'in_review', 'approved', 'rejected', 'dispatched', 'completed')),
                submitted_at DOUBLE PRECISION NOT NULL,
                promised_date TEXT NOT NULL,
                timeline TEXT NOT NULL,
                overdue_noted BIGINT NOT NULL DEFAULT 0,
                failed_lookups BIGINT NOT NULL DEFAULT 0,
                failed_lookups_since DOUBLE PRECISION NOT NULL DEFAULT 0,
                updated_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX applications_owner ON applications (client_id, subject, submitted_at)",
            "CREATE INDEX applications_division ON applications (division_code text_pattern_ops, submitted_at)",
            "CREATE INDEX applications_undecided ON applications (promised_date) WHERE status IN ('submitted', 'accepted', 'in_review')",
            // Events without an office (applications) name their division.
            "ALTER TABLE outbox_events ADD COLUMN division_code TEXT",
        ]),
        Migration(name: "0008 office change notifications", statements: [
            // Every change to a period's places tells the processes on the database (PostgresOfficeChanges), from
            // inside the transaction that makes it: delivered at its commit, in commit order, and whatever made it (a
            // booking, a cancellation, staff, a draw, a fix by hand). Identical notifications of one transaction are
            // delivered once, so a capacity change over a month is one message.
            """
            CREATE FUNCTION minzheng_slot_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- A period that has just become full, and any change that may have given one a place again (fewer
                -- booked, more capacity, the row gone): processes then drop what they assumed of the office.
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('minzheng_office_changed', 'changed ' || OLD.office_id || ' ' || TG_TABLE_SCHEMA);
                ELSIF NEW.booked >= NEW.capacity THEN
                    IF TG_OP = 'INSERT' OR OLD.booked < OLD.capacity THEN
                        PERFORM pg_notify('minzheng_office_changed', 'filled ' || NEW.office_id || ' ' || NEW.date || ' ' || NEW.period
                                                                     || ' ' || NEW.service || ' ' || TG_TABLE_SCHEMA);
                    END IF;
                ELSIF TG_OP = 'UPDATE' AND (NEW.booked < OLD.booked OR NEW.capacity > OLD.capacity) THEN
                    PERFORM pg_notify('minzheng_office_changed', 'changed ' || NEW.office_id || ' ' || TG_TABLE_SCHEMA);
                END IF;
                RETURN NULL;
            END
            $$
            """,
            "CREATE TRIGGER slots_changed AFTER INSERT OR UPDATE OR DELETE ON slots FOR EACH ROW EXECUTE FUNCTION minzheng_slot_changed()",
        ]),
        Migration(name: "0009 search indexes", statements: [
            // Searches run here with MINZHENG_SEARCH=database (PostgresSearchIndex). Three trusted extensions, which the
            // database's owner may add: pg_trgm (names), btree_gin and btree_gist (a resource type in the same index as
            // a name or a place, so that a search of one type reads only its rows). They go in `public`, where a test
            // schema's DROP cannot take them; the indexes name pg_trgm's operator class wherever it was installed.
            """
            CREATE FUNCTION minzheng_name_grams(name text) RETURNS text[] IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
                -- Every character and every pair of neighbouring characters: a name that contains a one- or two-
                -- character search holds all of the search's grams. Trigrams cannot index searches that short, and
                -- most Chinese searches are two characters (养老, 民政).
                SELECT coalesce(array_agg(DISTINCT gram), '{}') FROM (
                    SELECT substr(name, i, 1) AS gram FROM generate_series(1, length(name)) AS i
                    UNION SELECT substr(name, i, 2) FROM generate_series(1, length(name) - 1) AS i
                ) AS grams
            $$
            """,
            """
            DO $$
            DECLARE trgm text;
            BEGIN
                CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
                CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public;
                CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;
                SELECT extnamespace::regnamespace::text INTO trgm FROM pg_extension WHERE extname = 'pg_trgm';
                EXECUTE format('CREATE INDEX directory_entries_name ON directory_entries USING gin (type, name %s.gin_trgm_ops)', trgm);
                EXECUTE format('CREATE INDEX divisions_name ON divisions USING gin (name %s.gin_trgm_ops)', trgm);
                EXECUTE format('CREATE INDEX social_orgs_name ON social_orgs USING gin (name %s.gin_trgm_ops)', trgm);
                EXECUTE format('CREATE INDEX eldercare_facilities_name ON eldercare_facilities USING gin (name %1$s.gin_trgm_ops, '
                               'name_pinyin %1$s.gin_trgm_ops, name_initials %1$s.gin_trgm_ops)', trgm);
            END
            $$
            """,
            "CREATE INDEX directory_entries_name_grams ON directory_entries USING gin (type, minzheng_name_grams(name))",
            "CREATE INDEX divisions_name_grams ON divisions USING gin (minzheng_name_grams(name))",
            "CREATE INDEX social_orgs_name_grams ON social_orgs USING gin (minzheng_name_grams(name))",
            "CREATE INDEX eldercare_facilities_name_grams ON eldercare_facilities USING gin (minzheng_name_grams(name))",
            // Places: the built-in point type's GiST index finds the rows inside a search's box (what earthdistance's
            // cube index would do, without that untrusted extension); the exact great-circle distance is computed on
            // those rows only.
            "CREATE INDEX directory_entries_location ON directory_entries USING gist (type, point(lng, lat))",
            "CREATE INDEX eldercare_facilities_location ON eldercare_facilities USING gist (point(lng, lat))",
            // Orders that compare codes byte by byte, as the catalogues do, whatever the database's collation.
            "CREATE INDEX directory_entries_listing ON directory_entries (type, division_code COLLATE \"C\", id)",
            "CREATE INDEX social_orgs_by_code ON social_orgs (code COLLATE \"C\")",
            "CREATE INDEX eldercare_facilities_listing ON eldercare_facilities (division_code COLLATE \"C\", id)",
        ]),
        Migration(name: "0010 new periods with room heard", statements: [
            // A period's row made with room and nobody booked (staff giving a period places for the first time)
            // is a change too: a process that had found the period full, before it had a row, would otherwise keep
            // refusing it for the half minute it trusts what it heard. A booking's own first row (one booked) says
            // nothing unless it fills the period.
            """
            CREATE OR REPLACE FUNCTION minzheng_slot_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    PERFORM pg_notify('minzheng_office_changed', 'changed ' || OLD.office_id || ' ' || TG_TABLE_SCHEMA);
                ELSIF NEW.booked >= NEW.capacity THEN
                    IF TG_OP = 'INSERT' OR OLD.booked < OLD.capacity THEN
                        PERFORM pg_notify('minzheng_office_changed', 'filled ' || NEW.office_id || ' ' || NEW.date || ' ' || NEW.period
                                                                     || ' ' || NEW.service || ' ' || TG_TABLE_SCHEMA);
                    END IF;
                ELSIF (TG_OP = 'INSERT' AND NEW.booked = 0) OR (TG_OP = 'UPDATE' AND (NEW.booked < OLD.booked OR NEW.capacity > OLD.capacity)) THEN
                    PERFORM pg_notify('minzheng_office_changed', 'changed ' || NEW.office_id || ' ' || TG_TABLE_SCHEMA);
                END IF;
                RETURN NULL;
            END
            $$
            """,
        ]),
    ]
}

