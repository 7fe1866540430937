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
    ]
}
