"""A tiny fake Asterisk manager port for unit tests: real AMI bytes over a
real TCP socket, served by a thread."""

import socket
import threading


class FakeAmiServer:
    def __init__(self, username="odoo", secret="s3cr3t-ami", mode="ok"):
        self.username = username
        self.secret = secret
        self.mode = mode  # ok | silent | refuse_originate
        self.frames = []  # raw bytes of every action received
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        # short accept timeouts only to notice the stop: the server accepts
        # for as long as the test runs (a browser tour may need minutes before
        # its first call; a 10 s accept timeout ended the server under load)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = threading.Event()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.sock.close()
        self.thread.join(5)

    def actions(self, name):
        """Parsed frames of the given action name."""
        result = []
        for frame in self.frames:
            headers = []
            for line in frame.decode().split("\r\n"):
                key, _sep, value = line.partition(": ")
                if key:
                    headers.append((key, value))
            if ("Action", name) in headers:
                result.append(headers)
        return result

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                if self.mode == "silent":
                    self._stop.wait(3)
                    continue
                conn.sendall(b"Asterisk Call Manager/9.0.0\r\n")
                self._session(conn)

    def _session(self, conn):
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                try:
                    chunk = conn.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
            frame, buffer = buffer.split(b"\r\n\r\n", 1)
            self.frames.append(frame)
            headers = dict(
                line.split(": ", 1)
                for line in frame.decode().split("\r\n")
                if ": " in line
            )
            action = headers.get("Action", "").lower()
            action_id = headers.get("ActionID", "")
            if action == "login":
                if (
                    headers.get("Username") == self.username
                    and headers.get("Secret") == self.secret
                ):
                    # an unsolicited event first: the client must skip it
                    conn.sendall(
                        b"Event: FullyBooted\r\nPrivilege: system,all\r\n"
                        b"Status: Fully Booted\r\n\r\n"
                    )
                    self._reply(conn, action_id, "Success", "Authentication accepted")
                else:
                    self._reply(conn, action_id, "Error", "Authentication failed")
            elif action == "originate":
                if self.mode == "refuse_originate":
                    self._reply(conn, action_id, "Error", "Extension does not exist.")
                else:
                    self._reply(
                        conn, action_id, "Success", "Originate successfully queued"
                    )
            elif action == "logoff":
                self._reply(conn, action_id, "Goodbye", "Thanks for all the fish.")
                return
            else:
                self._reply(conn, action_id, "Error", "Invalid/unknown command")

    @staticmethod
    def _reply(conn, action_id, response, message):
        conn.sendall(
            f"Response: {response}\r\nActionID: {action_id}\r\n"
            f"Message: {message}\r\n\r\n".encode()
        )
