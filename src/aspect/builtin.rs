//! The aspects embedded in rtool: Go files under src/aspects, in the same
//! format as user aspect files. Their sources are part of rtool's build hash
//! (src/build.rs), hence of the cache key.

/// (name used in positions and listings, source).
pub const FILES: &[(&str, &str)] = &[
    ("rtool-builtin/log.go", include_str!("../aspects/log.go")),
    ("rtool-builtin/span.go", include_str!("../aspects/span.go")),
    ("rtool-builtin/http.go", include_str!("../aspects/http.go")),
    ("rtool-builtin/http2.go", include_str!("../aspects/http2.go")),
    ("rtool-builtin/sql.go", include_str!("../aspects/sql.go")),
    ("rtool-builtin/otel.go", include_str!("../aspects/otel.go")),
    ("rtool-builtin/slog.go", include_str!("../aspects/slog.go")),
    ("rtool-builtin/signal.go", include_str!("../aspects/signal.go")),
    ("rtool-builtin/grpc.go", include_str!("../aspects/grpc.go")),
    ("rtool-builtin/routers.go", include_str!("../aspects/routers.go")),
    ("rtool-builtin/redis.go", include_str!("../aspects/redis.go")),
    ("rtool-builtin/nats.go", include_str!("../aspects/nats.go")),
    ("rtool-builtin/pgx.go", include_str!("../aspects/pgx.go")),
];
