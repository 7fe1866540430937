import GRDB

/// Versioned, append-only schema migrations. A migration that has shipped is never edited: add a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001 look-up data") { db in
            try db.execute(sql: """
                CREATE TABLE divisions (
                    code TEXT PRIMARY KEY CHECK (length(code) IN (2, 4, 6, 9)),
                    name TEXT NOT NULL CHECK (name <> ''),
                    functional_zone INTEGER NOT NULL DEFAULT 0 CHECK (functional_zone IN (0, 1))
                ) WITHOUT ROWID;

                CREATE TABLE resource_types (
                    slug TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    position INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE directory_entries (
                    id INTEGER PRIMARY KEY,
                    type TEXT NOT NULL REFERENCES resource_types(slug),
                    name TEXT NOT NULL CHECK (name <> ''),
                    division_code TEXT NOT NULL REFERENCES divisions(code),
                    address TEXT NOT NULL,
                    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
                    lng REAL NOT NULL CHECK (lng BETWEEN -180 AND 180),
                    phone TEXT,
                    opening_hours TEXT,
                    services TEXT NOT NULL DEFAULT '[]',
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX directory_entries_type_division ON directory_entries(type, division_code, id);

                CREATE TABLE seed_imports (
                    checksum TEXT PRIMARY KEY,
                    imported_at TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0002 booking, identity, audit") { db in
            try db.execute(sql: """
                CREATE TABLE calendar_days (
                    date TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
                    name TEXT NOT NULL DEFAULT ''
                ) WITHOUT ROWID;

                CREATE TABLE api_clients (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    key_hash TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL
                );
                CREATE TABLE citizen_sessions (
                    token_hash TEXT PRIMARY KEY,
                    client_id INTEGER NOT NULL REFERENCES api_clients(id),
                    subject TEXT NOT NULL,
                    expires_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE staff (
                    id INTEGER PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('clerk', 'manager', 'admin')),
                    division_code TEXT NOT NULL REFERENCES divisions(code),
                    created_at REAL NOT NULL
                );
                CREATE TABLE staff_sessions (
                    token_hash TEXT PRIMARY KEY,
                    staff_id INTEGER NOT NULL REFERENCES staff(id),
                    expires_at REAL NOT NULL
                ) WITHOUT ROWID;

                -- One row per (office, day, period, service) that has been booked or given a capacity.
                -- The CHECK is the last line of defence: no write can ever leave a slot overbooked.
                CREATE TABLE slots (
                    office_id INTEGER NOT NULL REFERENCES directory_entries(id),
                    date TEXT NOT NULL,
                    period TEXT NOT NULL,
                    service TEXT NOT NULL,
                    capacity INTEGER NOT NULL CHECK (capacity >= 0),
                    booked INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0 AND booked <= capacity),
                    PRIMARY KEY (office_id, date, period, service)
                ) WITHOUT ROWID;

                CREATE TABLE office_days (
                    office_id INTEGER NOT NULL REFERENCES directory_entries(id),
                    date TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('closed', 'open')),
                    reason TEXT NOT NULL,
                    PRIMARY KEY (office_id, date)
                ) WITHOUT ROWID;

                CREATE TABLE bookings (
                    id TEXT PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE,
                    client_id INTEGER NOT NULL REFERENCES api_clients(id),
                    subject TEXT NOT NULL,
                    office_id INTEGER NOT NULL,
                    date TEXT NOT NULL,
                    period TEXT NOT NULL,
                    service TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled', 'cancelled_by_office', 'checked_in', 'no_show')),
                    divorce_application_id TEXT REFERENCES bookings(id),
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    FOREIGN KEY (office_id, date, period, service) REFERENCES slots(office_id, date, period, service)
                ) WITHOUT ROWID;
                CREATE INDEX bookings_owner ON bookings(client_id, subject, created_at);
                CREATE INDEX bookings_day ON bookings(office_id, date, status);

                -- Personal data encrypted (AES-GCM), masked copies for display, a keyed hash for equality.
                CREATE TABLE booking_applicants (
                    booking_id TEXT NOT NULL REFERENCES bookings(id),
                    position INTEGER NOT NULL,
                    id_hash TEXT NOT NULL,
                    active INTEGER NOT NULL CHECK (active IN (0, 1)),
                    booking_date TEXT NOT NULL,
                    name_sealed BLOB NOT NULL,
                    id_sealed BLOB NOT NULL,
                    phone_sealed BLOB NOT NULL,
                    name_masked TEXT NOT NULL,
                    id_masked TEXT NOT NULL,
                    phone_masked TEXT NOT NULL,
                    PRIMARY KEY (booking_id, position)
                ) WITHOUT ROWID;
                -- One active booking per person, across all offices.
                CREATE UNIQUE INDEX one_active_booking_per_person ON booking_applicants(id_hash) WHERE active = 1;
                CREATE INDEX booking_applicants_person ON booking_applicants(id_hash);

                CREATE TABLE idempotency_keys (
                    client_id INTEGER NOT NULL,
                    subject TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    response TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (client_id, subject, key)
                ) WITHOUT ROWID;

                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY,
                    at REAL NOT NULL,
                    staff_id INTEGER NOT NULL REFERENCES staff(id),
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    before TEXT,
                    after TEXT,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("0003 office schedules, staff accounts") { db in
            try db.execute(sql: """
                -- An office's own schedule; offices without a row have the standard one.
                CREATE TABLE office_schedules (
                    office_id INTEGER PRIMARY KEY REFERENCES directory_entries(id),
                    periods TEXT NOT NULL,  -- "09:00-10:00,10:00-11:00"
                    capacity_marriage INTEGER NOT NULL CHECK (capacity_marriage BETWEEN 0 AND 500),
                    capacity_divorce_application INTEGER NOT NULL CHECK (capacity_divorce_application BETWEEN 0 AND 500),
                    capacity_divorce_certificate INTEGER NOT NULL CHECK (capacity_divorce_certificate BETWEEN 0 AND 500),
                    capacity_reissue INTEGER NOT NULL CHECK (capacity_reissue BETWEEN 0 AND 500),
                    min_days_ahead INTEGER NOT NULL,
                    max_days_ahead INTEGER NOT NULL,
                    closing_hour INTEGER NOT NULL,
                    updated_at REAL NOT NULL
                );
                -- A disabled account can neither log in nor use its sessions; rows stay for the audit log.
                ALTER TABLE staff ADD COLUMN disabled_at REAL;
                """)
        }
        migrator.registerMigration("0004 fewer pages per booking") { db in
            try db.execute(sql: """
                -- Only inactive applicants (cancelled, no-show, days gone by), which the no-show rule reads: a new
                -- booking no longer writes a random page of this index; active ones are found by the unique index.
                DROP INDEX booking_applicants_person;
                CREATE INDEX booking_applicants_inactive ON booking_applicants(id_hash) WHERE active = 0;
                """)
        }
        migrator.registerMigration("0005 social organisations, eldercare facilities") { db in
            try db.execute(sql: """
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
                    inspections TEXT NOT NULL,   -- "2024:pass;2025:basic_pass"
                    list_entries TEXT NOT NULL,  -- "irregular_activity:2025-03-01:reason|..."
                    updated_at REAL NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE eldercare_facilities (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_pinyin TEXT NOT NULL,
                    name_initials TEXT NOT NULL,
                    division_code TEXT NOT NULL REFERENCES divisions(code),
                    address TEXT NOT NULL,
                    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
                    lng REAL NOT NULL CHECK (lng BETWEEN -180 AND 180),
                    nature TEXT NOT NULL CHECK (nature IN ('public', 'private', 'public_built_private_run')),
                    beds_total INTEGER NOT NULL CHECK (beds_total >= 0),
                    beds_free INTEGER NOT NULL CHECK (beds_free BETWEEN 0 AND beds_total),
                    care_levels TEXT NOT NULL,  -- "independent;partial_care"
                    medical TEXT NOT NULL CHECK (medical IN ('onsite_clinic', 'partner_clinic', 'none')),
                    star INTEGER NOT NULL CHECK (star BETWEEN 0 AND 5),
                    price_min INTEGER NOT NULL,
                    price_max INTEGER NOT NULL CHECK (price_max >= price_min),
                    phone TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("0006 dataset versions") { db in
            try db.execute(sql: """
                -- Bumped by every import that changes a data set, so running services know to reload it.
                CREATE TABLE dataset_versions (
                    name TEXT PRIMARY KEY,
                    version INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0007 outbox, webhooks, deliveries") { db in
            try db.execute(sql: """
                -- Events are written in the transaction of the change that causes them; the delivery worker turns
                -- each due one into deliveries ('fanned'). A cancelled booking's pending reminder becomes 'void'.
                CREATE TABLE outbox_events (
                    id INTEGER PRIMARY KEY,
                    type TEXT NOT NULL,
                    office_id INTEGER,
                    client_id INTEGER,
                    booking_id TEXT,
                    data TEXT NOT NULL,
                    occurred_at REAL NOT NULL,
                    due_at REAL NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fanned', 'void'))
                );
                CREATE INDEX outbox_events_due ON outbox_events(due_at) WHERE state = 'pending';
                CREATE INDEX outbox_events_reminders ON outbox_events(booking_id) WHERE type = 'booking.reminder' AND state = 'pending';
                -- Events that fire once (capacity.nearly_full per office and day).
                CREATE TABLE outbox_once (
                    key TEXT PRIMARY KEY
                ) WITHOUT ROWID;

                CREATE TABLE webhook_subscriptions (
                    id INTEGER PRIMARY KEY,
                    channel TEXT NOT NULL CHECK (channel IN ('wecom', 'dingtalk', 'feishu', 'webhook')),
                    url_sealed BLOB NOT NULL,
                    url_redacted TEXT NOT NULL,
                    secret_sealed BLOB,
                    events TEXT NOT NULL,  -- "booking.confirmed,office.closed"
                    division_code TEXT,    -- staff webhooks: the division (and office) whose events they get
                    office_id INTEGER,
                    client_id INTEGER REFERENCES api_clients(id),  -- an app's own webhook
                    created_at REAL NOT NULL,
                    removed_at REAL,
                    paused_until REAL NOT NULL DEFAULT 0,
                    CHECK ((client_id IS NULL) <> (division_code IS NULL))
                );
                CREATE UNIQUE INDEX webhook_subscriptions_client ON webhook_subscriptions(client_id)
                    WHERE removed_at IS NULL AND client_id IS NOT NULL;

                -- One per (event, subscription). The id is the `webhook-id` on every attempt. While a worker holds
                -- it ('sending'), next_attempt_at is the end of its lease: a dead worker's deliveries come due again.
                CREATE TABLE deliveries (
                    id TEXT PRIMARY KEY,
                    event_id INTEGER NOT NULL REFERENCES outbox_events(id),
                    subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions(id),
                    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    failures INTEGER NOT NULL DEFAULT 0,  -- since the last manual retry: the step of the retry schedule
                    next_attempt_at REAL NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    UNIQUE (event_id, subscription_id)
                ) WITHOUT ROWID;
                CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE status IN ('pending', 'sending');
                CREATE INDEX deliveries_subscription ON deliveries(subscription_id, created_at);

                CREATE TABLE delivery_attempts (
                    delivery_id TEXT NOT NULL REFERENCES deliveries(id),
                    number INTEGER NOT NULL,
                    at REAL NOT NULL,
                    outcome TEXT NOT NULL,
                    http_status INTEGER,
                    reply_code INTEGER,
                    detail TEXT NOT NULL,
                    milliseconds INTEGER NOT NULL,
                    PRIMARY KEY (delivery_id, number)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0008 release time, waitlists, fair draws") { db in
            try db.execute(sql: """
                ALTER TABLE office_schedules ADD COLUMN release_minute INTEGER NOT NULL DEFAULT 480 CHECK (release_minute BETWEEN 0 AND 1439);

                -- Couples waiting for a full period (period NULL: any period of the day), served in `position` order.
                CREATE TABLE waitlist_entries (
                    position INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    client_id INTEGER NOT NULL,
                    subject TEXT NOT NULL,
                    office_id INTEGER NOT NULL,
                    date TEXT NOT NULL,
                    period TEXT,
                    preferences TEXT,  -- from a draw: the periods it may take, best first ("09:00,10:00")
                    service TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('waiting', 'promoted', 'skipped', 'left')),
                    booking_id TEXT,
                    note TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX waitlist_entries_waiting ON waitlist_entries(office_id, date, service, position) WHERE status = 'waiting';
                CREATE INDEX waitlist_entries_owner ON waitlist_entries(client_id, subject);
                CREATE TABLE waitlist_applicants (
                    entry_id TEXT NOT NULL REFERENCES waitlist_entries(id),
                    position INTEGER NOT NULL,
                    id_hash TEXT NOT NULL,
                    waiting INTEGER NOT NULL CHECK (waiting IN (0, 1)),
                    name_sealed BLOB NOT NULL, id_sealed BLOB NOT NULL, phone_sealed BLOB NOT NULL,
                    name_masked TEXT NOT NULL, id_masked TEXT NOT NULL, phone_masked TEXT NOT NULL,
                    PRIMARY KEY (entry_id, position)
                ) WITHOUT ROWID;
                -- A person waits in one queue at a time.
                CREATE UNIQUE INDEX waitlist_applicants_waiting ON waitlist_applicants(id_hash) WHERE waiting = 1;

                CREATE TABLE high_demand_dates (
                    office_id INTEGER NOT NULL,
                    date TEXT NOT NULL,
                    marked_by INTEGER NOT NULL,
                    marked_at REAL NOT NULL,
                    PRIMARY KEY (office_id, date)
                ) WITHOUT ROWID;

                -- One entry per couple and day, whichever office: more entries would be more chances.
                CREATE TABLE draw_entries (
                    id TEXT PRIMARY KEY,
                    client_id INTEGER NOT NULL,
                    subject TEXT NOT NULL,
                    office_id INTEGER NOT NULL,
                    date TEXT NOT NULL,
                    service TEXT NOT NULL,
                    couple_key TEXT NOT NULL,
                    preferences TEXT NOT NULL,  -- "09:00,10:00"
                    status TEXT NOT NULL CHECK (status IN ('registered', 'won', 'waitlisted', 'ineligible')),
                    rank INTEGER,
                    period TEXT,
                    booking_id TEXT,
                    note TEXT,
                    created_at REAL NOT NULL,
                    UNIQUE (date, couple_key)
                ) WITHOUT ROWID;
                CREATE INDEX draw_entries_day ON draw_entries(office_id, date, status);
                CREATE INDEX draw_entries_owner ON draw_entries(client_id, subject);
                CREATE TABLE draw_applicants (
                    entry_id TEXT NOT NULL REFERENCES draw_entries(id),
                    position INTEGER NOT NULL,
                    date TEXT NOT NULL,
                    id_hash TEXT NOT NULL,
                    name_sealed BLOB NOT NULL, id_sealed BLOB NOT NULL, phone_sealed BLOB NOT NULL,
                    name_masked TEXT NOT NULL, id_masked TEXT NOT NULL, phone_masked TEXT NOT NULL,
                    PRIMARY KEY (entry_id, position)
                ) WITHOUT ROWID;
                -- One entry per person and day: a couple key alone would let one person enter with several partners.
                CREATE UNIQUE INDEX draw_applicants_person ON draw_applicants(date, id_hash);
                -- The seed is drawn, and its SHA-256 published, when the first couple registers: fixed before the entries
                -- are known, so nobody can pick a seed that suits them.
                CREATE TABLE draw_seeds (
                    office_id INTEGER NOT NULL,
                    date TEXT NOT NULL,
                    seed TEXT NOT NULL,
                    seed_hash TEXT NOT NULL,
                    committed_at REAL NOT NULL,
                    PRIMARY KEY (office_id, date)
                ) WITHOUT ROWID;
                -- The seed and the places at the draw: with the entries, enough for anyone to run it again.
                CREATE TABLE draws (
                    office_id INTEGER NOT NULL,
                    date TEXT NOT NULL,
                    seed TEXT NOT NULL,
                    drawn_at REAL NOT NULL,
                    places TEXT NOT NULL,  -- {"09:00": 40, ...}
                    PRIMARY KEY (office_id, date)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0009 first replies on the delivery row") { db in
            try db.execute(sql: """
                -- Most deliveries succeed at once: that reply is kept on the delivery itself rather than as a row
                -- of delivery_attempts, a third fewer writes per delivery. Any other attempt has its own row.
                ALTER TABLE deliveries ADD COLUMN first_http_status INTEGER;
                ALTER TABLE deliveries ADD COLUMN first_reply_code INTEGER;
                ALTER TABLE deliveries ADD COLUMN first_milliseconds INTEGER;
                """)
        }
        migrator.registerMigration("0010 service catalogue, applications") { db in
            try db.execute(sql: """
                -- The province's items and guides; every level's own copy of the four shared attributes (三级四同,
                -- checked by the import and by `minzheng catalogue check`); every level's hall.
                CREATE TABLE service_items (
                    code TEXT PRIMARY KEY,
                    topic TEXT NOT NULL,
                    type TEXT NOT NULL,
                    name TEXT NOT NULL,
                    legal_basis TEXT NOT NULL,
                    guide TEXT NOT NULL
                );
                CREATE TABLE service_publications (
                    division_code TEXT NOT NULL,
                    item_code TEXT NOT NULL,
                    type TEXT NOT NULL,
                    name TEXT NOT NULL,
                    legal_basis TEXT NOT NULL,
                    service_window TEXT NOT NULL,
                    PRIMARY KEY (division_code, item_code)
                ) WITHOUT ROWID;
                CREATE TABLE service_halls (
                    division_code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    address TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    hours TEXT NOT NULL
                );
                -- Applications: the applicant sealed as bookings' are; `lookup_hash` is the keyed hash of the number
                -- and the ID number's last six characters; `timeline` the steps as JSON.
                CREATE TABLE applications (
                    number TEXT PRIMARY KEY,
                    item_code TEXT NOT NULL,
                    item_name TEXT NOT NULL,
                    division_code TEXT NOT NULL,
                    client_id INTEGER NOT NULL,
                    subject TEXT NOT NULL,
                    name_sealed BLOB NOT NULL,
                    id_number_sealed BLOB NOT NULL,
                    phone_sealed BLOB NOT NULL,
                    id_hash TEXT NOT NULL,
                    masked TEXT NOT NULL,
                    lookup_hash TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'in_review', 'approved', 'rejected', 'dispatched', 'completed')),
                    submitted_at REAL NOT NULL,
                    promised_date TEXT NOT NULL,
                    timeline TEXT NOT NULL,
                    overdue_noted INTEGER NOT NULL DEFAULT 0,
                    -- Anonymous look-ups not proven right, in the day since the first of them (ApplicationService.failedLookupLimit).
                    failed_lookups INTEGER NOT NULL DEFAULT 0,
                    failed_lookups_since REAL NOT NULL DEFAULT 0,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX applications_owner ON applications(client_id, subject, submitted_at);
                CREATE INDEX applications_division ON applications(division_code, submitted_at);
                CREATE INDEX applications_undecided ON applications(promised_date) WHERE status IN ('submitted', 'accepted', 'in_review');
                -- Events without an office (applications) name their division.
                ALTER TABLE outbox_events ADD COLUMN division_code TEXT;
                """)
        }
        migrator.registerMigration("0011 state checks without a temporary table per row") { db in
            // SQLite checks `x IN ('a', 'b', 'c')` (more than two constants) by building a temporary b-tree of the
            // list for every row written, and the delivery worker writes three such rows per delivery. The same
            // rule written with `=` and `OR` compares in place (docs/benchmarks.md: about a sixth less CPU per
            // delivery). SQLite cannot change a CHECK in place: both tables are rebuilt, rows and indexes as they were.
            try db.execute(sql: """
                CREATE TABLE outbox_events_0011 (
                    id INTEGER PRIMARY KEY,
                    type TEXT NOT NULL,
                    office_id INTEGER,
                    client_id INTEGER,
                    booking_id TEXT,
                    data TEXT NOT NULL,
                    occurred_at REAL NOT NULL,
                    due_at REAL NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR state = 'fanned' OR state = 'void'),
                    division_code TEXT
                );
                INSERT INTO outbox_events_0011 (id, type, office_id, client_id, booking_id, data, occurred_at, due_at, state, division_code)
                    SELECT id, type, office_id, client_id, booking_id, data, occurred_at, due_at, state, division_code FROM outbox_events;
                DROP TABLE outbox_events;
                ALTER TABLE outbox_events_0011 RENAME TO outbox_events;
                CREATE INDEX outbox_events_due ON outbox_events(due_at) WHERE state = 'pending';
                CREATE INDEX outbox_events_reminders ON outbox_events(booking_id) WHERE type = 'booking.reminder' AND state = 'pending';

                CREATE TABLE deliveries_0011 (
                    id TEXT PRIMARY KEY,
                    event_id INTEGER NOT NULL REFERENCES outbox_events(id),
                    subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions(id),
                    status TEXT NOT NULL CHECK (status = 'pending' OR status = 'sending' OR status = 'delivered' OR status = 'dead'
                                                OR status = 'cancelled'),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    failures INTEGER NOT NULL DEFAULT 0,  -- since the last manual retry: the step of the retry schedule
                    next_attempt_at REAL NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    first_http_status INTEGER,
                    first_reply_code INTEGER,
                    first_milliseconds INTEGER,
                    UNIQUE (event_id, subscription_id)
                ) WITHOUT ROWID;
                INSERT INTO deliveries_0011 (id, event_id, subscription_id, status, attempts, failures, next_attempt_at, created_at, updated_at,
                                             first_http_status, first_reply_code, first_milliseconds)
                    SELECT id, event_id, subscription_id, status, attempts, failures, next_attempt_at, created_at, updated_at,
                           first_http_status, first_reply_code, first_milliseconds FROM deliveries;
                DROP TABLE deliveries;
                ALTER TABLE deliveries_0011 RENAME TO deliveries;
                CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE status IN ('pending', 'sending');
                CREATE INDEX deliveries_subscription ON deliveries(subscription_id, created_at);
                """)
        }
        migrator.registerMigration("0012 a booking's reminders in any state") { db in
            // Voiding a cancelled booking's reminder looks for it in any state, to stop the retries of one already
            // fanned out; the index covered pending ones only, so that look-up read the whole outbox.
            try db.execute(sql: """
                DROP INDEX outbox_events_reminders;
                CREATE INDEX outbox_events_reminders ON outbox_events(booking_id) WHERE type = 'booking.reminder';
                """)
        }
        return migrator
    }
}
