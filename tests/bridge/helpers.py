"""Shared helpers for the bridge tests: a bridge wired to a fake Odoo and a
fake Asterisk FastAGI client."""

import asyncio
import contextlib

from eldercare_bridge.app import Bridge
from eldercare_bridge.config import Config


def make_config(fake, spool_dir, **kw):
    values = {
        "odoo_url": fake.url,
        "odoo_db": "test",
        "odoo_login": "eldercare_bridge",
        "odoo_password": "pw",
        "ami_user": "",
        "ami_secret": "",
        "agi_port": 0,
        "spool_dir": str(spool_dir),
        "event_flush_interval": 0.02,
    }
    values.update(kw)
    return Config(**values)


@contextlib.asynccontextmanager
async def running_bridge(cfg):
    bridge = Bridge(cfg)
    await bridge.start()
    try:
        yield bridge
    finally:
        await bridge.stop()


async def agi_call(
    port,
    script,
    args=(),
    callerid="13800138000",
    uniqueid="1.1",
    extra_env=None,
    reply_delay=0.0,
):
    """Play Asterisk: send the AGI env, answer every command with 200 result=1.

    Returns the dict of channel variables the bridge set.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    env = {
        "agi_network": "yes",
        "agi_network_script": script,
        "agi_request": f"agi://127.0.0.1:{port}/{script}",
        "agi_channel": "PJSIP/eldercare-test-trunk-00000001",
        "agi_language": "zh",
        "agi_type": "PJSIP",
        "agi_uniqueid": uniqueid,
        "agi_callerid": callerid,
        "agi_calleridname": "unknown",
        "agi_context": "eldercare-inbound",
        "agi_extension": "8001",
        "agi_priority": "6",
    }
    env.update(extra_env or {})
    for i, arg in enumerate(args, 1):
        env[f"agi_arg_{i}"] = arg
    block = "".join(f"{k}: {v}\n" for k, v in env.items()) + "\n"
    variables = {}
    try:
        writer.write(block.encode())
        await writer.drain()
        await _converse(reader, writer, uniqueid, reply_delay, variables)
    except ConnectionResetError:
        pass  # the bridge refused or dropped us: the caller checks the variables
    writer.close()
    return variables


async def _converse(reader, writer, uniqueid, reply_delay, variables):
    while True:
        line = await reader.readline()
        if not line:
            break
        cmd = line.decode().strip()
        if cmd.startswith("SET VARIABLE "):
            _, _, rest = cmd.partition("SET VARIABLE ")
            name, _, value = rest.partition(" ")
            variables[name] = value.strip('"')
            answer = "200 result=1\n"
        elif cmd.startswith("GET VARIABLE"):
            answer = "200 result=1 (" + uniqueid + ")\n"
        else:
            answer = "200 result=0\n"
        if reply_delay:
            await asyncio.sleep(reply_delay)
        writer.write(answer.encode())
        await writer.drain()
