//! The aspects embedded in rtool: Go files under src/aspect/builtin/, in the same
//! format as user aspect files. Their sources are part of rtool's build hash
//! (src/build_hash.rs), hence of the cache key.

/// (name used in positions and listings, source).
pub const FILES: &[(&str, &str)] = &[
    ("rtool-builtin/log.go", include_str!("builtin/log.go")),
    ("rtool-builtin/span.go", include_str!("builtin/span.go")),
    ("rtool-builtin/http.go", include_str!("builtin/http.go")),
    ("rtool-builtin/http2.go", include_str!("builtin/http2.go")),
    ("rtool-builtin/sql.go", include_str!("builtin/sql.go")),
    ("rtool-builtin/otel.go", include_str!("builtin/otel.go")),
    ("rtool-builtin/slog.go", include_str!("builtin/slog.go")),
    ("rtool-builtin/signal.go", include_str!("builtin/signal.go")),
    ("rtool-builtin/grpc.go", include_str!("builtin/grpc.go")),
    ("rtool-builtin/routers.go", include_str!("builtin/routers.go")),
    ("rtool-builtin/redis.go", include_str!("builtin/redis.go")),
    ("rtool-builtin/nats.go", include_str!("builtin/nats.go")),
    ("rtool-builtin/pgx.go", include_str!("builtin/pgx.go")),
];
