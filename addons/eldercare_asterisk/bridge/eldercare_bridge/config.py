"""Bridge configuration from environment variables (CLI flags override)."""

import argparse
import dataclasses
import os

EMERGENCY_QUEUE = "eldercare-emergency"
SERVICE_QUEUE = "eldercare-service"

DEFAULT_FORWARD_EVENTS = (
    "Newchannel",
    # the caller id of a channel that began without one (Local channels)
    "NewCallerid",
    "DialBegin",
    "DialEnd",
    "BridgeEnter",
    "AgentConnect",
    "QueueCallerJoin",
    "Hangup",
    # EldercareEscalation: the dialplan rings a step of the escalation chain
    "UserEvent",
)


@dataclasses.dataclass
class Config:
    odoo_url: str = "http://127.0.0.1:8069"
    odoo_db: str = ""
    odoo_login: str = "eldercare_bridge"
    odoo_password: str = ""
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_user: str = "eldercare"
    ami_secret: str = ""
    agi_bind: str = "127.0.0.1"
    agi_port: int = 4573
    # FastAGI peers allowed (IP addresses); empty: Odoo's bridge_config
    # "agi_allowed_clients", and if Odoo never answered, any peer
    agi_allowed_clients: tuple = ()
    spool_dir: str = "./eldercare-spool"
    route_timeout: float = 0.3  # hard limit for the AGI routing lookup
    # the bridge's replica of Odoo's routing data (replica.py): on, the
    # emergency line is answered from it at once and the alarm spooled; a
    # service line waits route_odoo_wait for Odoo (whose answer wins)
    route_local: bool = True
    route_odoo_wait: float = 0.012
    index_refresh: float = 30.0  # seconds between incremental refreshes
    index_full_every: float = 3600.0  # seconds between full reloads
    ivr_timeout: float = 2.0
    rpc_timeout: float = 10.0  # other Odoo calls (events, spool replay)
    forward_events: tuple = DEFAULT_FORWARD_EVENTS
    forward_cdr: bool = False
    event_batch_size: int = 50
    event_flush_interval: float = 0.1
    event_buffer_max: int = 20000
    config_refresh: float = 60.0
    rpc_pool_size: int = 4
    route_batch_max: int = 25  # routing lookups per Odoo call in a burst
    dial_poll_interval: float = 0.5  # dialer: seconds between Odoo polls
    tts_dir: str = ""  # dialer: where per-call speech is written (Asterisk sounds)
    tts_prefix: str = "eldercare-tts"  # that directory as Asterisk names it
    log_level: str = "INFO"
    # name of this bridge on the supervisors' dashboard, and how often it
    # reports there (alarms held in the spool, dead letters, queue members)
    bridge_name: str = "bridge"
    heartbeat_interval: float = 10.0
    # call recordings: the directory MixMonitor writes in, as this host sees
    # it (Asterisk's EC_REC_DIR, extensions_evidence.conf); empty: no upload
    recording_dir: str = ""
    recording_interval: float = 1.0
    # the Odoo key in a file, read again when it changes (key rotation)
    odoo_password_file: str = ""
    odoo_password_check: float = 2.0

    ENV = {
        "odoo_url": "EC_ODOO_URL",
        "odoo_db": "EC_ODOO_DB",
        "odoo_login": "EC_ODOO_LOGIN",
        "odoo_password": "EC_ODOO_PASSWORD",
        "ami_host": "EC_AMI_HOST",
        "ami_port": "EC_AMI_PORT",
        "ami_user": "EC_AMI_USER",
        "ami_secret": "EC_AMI_SECRET",
        "agi_bind": "EC_AGI_BIND",
        "agi_port": "EC_AGI_PORT",
        "agi_allowed_clients": "EC_AGI_ALLOWED_CLIENTS",
        "spool_dir": "EC_SPOOL_DIR",
        "route_timeout": "EC_ROUTE_TIMEOUT",
        "route_local": "EC_ROUTE_LOCAL",
        "route_odoo_wait": "EC_ROUTE_ODOO_WAIT",
        "index_refresh": "EC_INDEX_REFRESH",
        "index_full_every": "EC_INDEX_FULL_EVERY",
        "ivr_timeout": "EC_IVR_TIMEOUT",
        "rpc_timeout": "EC_RPC_TIMEOUT",
        "forward_events": "EC_FORWARD_EVENTS",
        "forward_cdr": "EC_FORWARD_CDR",
        "event_batch_size": "EC_EVENT_BATCH_SIZE",
        "event_flush_interval": "EC_EVENT_FLUSH_INTERVAL",
        "config_refresh": "EC_CONFIG_REFRESH",
        "rpc_pool_size": "EC_RPC_POOL_SIZE",
        "route_batch_max": "EC_ROUTE_BATCH_MAX",
        "dial_poll_interval": "EC_DIAL_POLL_INTERVAL",
        "tts_dir": "EC_TTS_DIR",
        "tts_prefix": "EC_TTS_PREFIX",
        "log_level": "EC_LOG_LEVEL",
        "bridge_name": "EC_BRIDGE_NAME",
        "heartbeat_interval": "EC_HEARTBEAT_INTERVAL",
        "recording_dir": "EC_RECORDING_DIR",
        "recording_interval": "EC_RECORDING_INTERVAL",
        "odoo_password_file": "EC_ODOO_PASSWORD_FILE",
        "odoo_password_check": "EC_ODOO_PASSWORD_CHECK",
    }

    @classmethod
    def from_env(cls, environ=None, argv=None):
        environ = os.environ if environ is None else environ
        values = {}
        for field in dataclasses.fields(cls):
            var = cls.ENV.get(field.name)
            if var and environ.get(var, "") != "":
                values[field.name] = _convert(field, environ[var])
        if argv is not None:
            parser = argparse.ArgumentParser(
                prog="python3 -m eldercare_bridge",
                description="Eldercare telephony bridge (Asterisk <-> Odoo). "
                "Every option also reads an environment variable (shown).",
            )
            for field in dataclasses.fields(cls):
                var = cls.ENV.get(field.name)
                if not var:
                    continue
                parser.add_argument(
                    "--" + field.name.replace("_", "-"),
                    dest=field.name,
                    default=None,
                    help=f"env {var}",
                )
            args = parser.parse_args(argv)
            for field in dataclasses.fields(cls):
                val = getattr(args, field.name, None)
                if val is not None:
                    values[field.name] = _convert(field, val)
        return cls(**values)

    def redacted(self):
        data = dataclasses.asdict(self)
        for key in ("odoo_password", "ami_secret"):
            if data.get(key):
                data[key] = "***"
        return data


def _convert(field, raw):
    if field.type in (int, "int"):
        return int(raw)
    if field.type in (float, "float"):
        return float(raw)
    if field.type in (bool, "bool"):
        return str(raw).strip().lower() in ("1", "true", "yes", "on")
    if field.type in (tuple, "tuple"):
        return tuple(x.strip() for x in str(raw).split(",") if x.strip())
    return raw
