"""A scriptable fake AMI server (asyncio) for the bridge tests."""

import asyncio


class FakeAMI:
    """Keeps every action as a dict (``actions``) and as its header pairs in
    order (``raw``: repeated Variable headers too); ``refuse_originate``
    answers an Originate with Response: Error."""

    def __init__(self, secret="s3cret"):
        self.secret = secret
        self.writers = []
        self.logins = 0
        self.actions = []
        self.raw = []
        self.refuse_originate = False
        self.channels = []  # CoreShowChannel entries returned on resync
        self.astdb = {}  # "/family/key" -> value, for DBGetTree
        self.server = None
        self.port = None

    async def start(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self):
        self.kick()
        self.server.close()
        await self.server.wait_closed()

    def kick(self):
        for w in self.writers:
            w.close()
        self.writers = []

    def send_raw(self, data):
        for w in self.writers:
            w.write(data if isinstance(data, bytes) else data.encode())

    def send_event(self, **headers):
        text = "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.send_raw(text)

    async def _handle(self, reader, writer):
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        self.writers.append(writer)
        frame, pairs = {}, []
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                line = line.decode().rstrip("\r\n")
                if line:
                    k, _, v = line.partition(": ")
                    frame[k] = v
                    pairs.append((k, v))
                    continue
                self.actions.append(frame)
                self.raw.append(pairs)
                await self._answer(frame, writer)
                frame, pairs = {}, []
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if writer in self.writers:
                self.writers.remove(writer)
            writer.close()

    def originates(self):
        return [p for p in self.raw if dict(p).get("Action") == "Originate"]

    async def _answer(self, frame, writer):
        aid = frame.get("ActionID", "")
        action = frame.get("Action", "").lower()
        if self.refuse_originate and action == "originate":
            out = (
                f"Response: Error\r\nActionID: {aid}\r\n"
                "Message: Extension does not exist.\r\n\r\n"
            )
        elif action == "login":
            if frame.get("Secret") == self.secret:
                self.logins += 1
                out = (
                    f"Response: Success\r\nActionID: {aid}\r\nMessage: "
                    "Authentication accepted\r\n\r\n"
                )
            else:
                out = (
                    f"Response: Error\r\nActionID: {aid}\r\nMessage: "
                    "Authentication failed\r\n\r\n"
                )
        elif action == "coreshowchannels":
            out = (
                f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\n"
                "Message: Channels will follow\r\n\r\n"
            )
            for ch in self.channels:
                out += "Event: CoreShowChannel\r\n" + f"ActionID: {aid}\r\n"
                out += "".join(f"{k}: {v}\r\n" for k, v in ch.items()) + "\r\n"
            out += (
                f"Event: CoreShowChannelsComplete\r\nActionID: {aid}\r\n"
                f"EventList: Complete\r\nListItems: {len(self.channels)}\r\n\r\n"
            )
        elif action == "dbgettree":
            family = frame.get("Family", "")
            rows = {k: v for k, v in self.astdb.items() if k.startswith(f"/{family}/")}
            if not rows:
                out = (
                    f"Response: Error\r\nActionID: {aid}\r\n"
                    "Message: Database entry not found\r\n\r\n"
                )
            else:
                out = (
                    f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\n"
                    "\r\n"
                )
                for key, val in rows.items():
                    out += (
                        f"Event: DBGetTreeResponse\r\nActionID: {aid}\r\n"
                        f"Key: {key}\r\nVal: {val}\r\n\r\n"
                    )
                out += (
                    f"Event: DBGetTreeComplete\r\nActionID: {aid}\r\n"
                    f"EventList: Complete\r\nListItems: {len(rows)}\r\n\r\n"
                )
        else:
            out = f"Response: Success\r\nActionID: {aid}\r\nPing: Pong\r\n\r\n"
        writer.write(out.encode())
