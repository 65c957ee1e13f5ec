"""How the app connects to PostgreSQL: a pool that fits gunicorn's threads, and settings for a web workload."""


def engine_options(config: dict) -> dict:
    """SQLAlchemy engine options from the settings (see README, 'Database settings')."""
    options = {
        "pool_pre_ping": True,
        # Each request thread holds one connection for its session and briefly a second for rate-limit counters.
        "pool_size": config["DB_POOL_SIZE"],
        "max_overflow": config["DB_MAX_OVERFLOW"],
        "pool_timeout": config["DB_POOL_TIMEOUT"],
    }
    if config["DB_SESSION_OPTIONS"]:
        # JIT compiles short web queries for longer than they run; work_mem sized for sorts of one page.
        options["connect_args"] = {"options": config["DB_SESSION_OPTIONS"]}
    return options
