import base64
import io
import wave
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import ELDER_NUMBER, EMERGENCY_DID, EldercarePbxCase


def wav_bytes(seconds=2.0, rate=8000):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x01\x00" * int(seconds * rate))
    return buf.getvalue()


def item(linkedid, seconds=2.0, recorded_at="2026-12-01 08:00:00"):
    return {
        "linkedid": linkedid,
        "filename": f"{linkedid}.wav",
        "duration": seconds,
        "recorded_at": recorded_at,
        "data": base64.b64encode(wav_bytes(seconds)).decode(),
    }


@tagged("post_install", "-at_install")
class TestCallRecording(EldercarePbxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor = new_test_user(
            cls.env,
            login="ec_rec_supervisor",
            groups="base.group_user,eldercare_base.group_eldercare_supervisor",
        )
        cls.portal = new_test_user(
            cls.env,
            login="ec_rec_provider",
            groups="eldercare_base.group_eldercare_provider",
        )
        cls.Recording = cls.env["eldercare.call.recording"]

    def emergency_call(self, linkedid):
        result = self.route(linkedid, ELDER_NUMBER, EMERGENCY_DID)
        self.assertEqual(result["route"], "emergency")
        return self.call_of(linkedid)

    def test_recording_is_attached_to_call_and_alert(self):
        call = self.emergency_call("1764000001.1")
        self.assertTrue(call.alert_id)
        stored = self.bridge.recordings_done([item("1764000001.1", 3.5)])
        self.assertEqual(stored, ["1764000001.1.wav"])
        recording = self.Recording.search([("linkedid", "=", "1764000001.1")])
        self.assertEqual(recording.call_id, call)
        self.assertEqual(recording.alert_id, call.alert_id)
        self.assertAlmostEqual(recording.duration, 3.5)
        self.assertEqual(base64.b64decode(recording.audio)[:4], b"RIFF")
        self.assertEqual(call.recording_ids, recording)
        self.assertEqual(call.alert_id.recording_ids, recording)
        # the audio is an attachment of the recording, not a loose file
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "eldercare.call.recording"),
                ("res_id", "=", recording.id),
                ("res_field", "=", "audio"),
            ]
        )
        self.assertEqual(len(attachment), 1)
        # the bridge sends it again (it did not hear the answer): no duplicate
        self.assertEqual(
            self.bridge.recordings_done([item("1764000001.1", 3.5)]),
            ["1764000001.1.wav"],
        )
        self.assertEqual(
            self.Recording.search_count([("linkedid", "=", "1764000001.1")]), 1
        )

    def test_recording_before_the_call_row_is_linked_by_the_cron(self):
        self.bridge.recordings_done([item("1764000002.1")])
        recording = self.Recording.search([("linkedid", "=", "1764000002.1")])
        self.assertFalse(recording.call_id)
        call = self.emergency_call("1764000002.1")
        self.Recording._cron_purge_recordings()
        self.assertEqual(recording.call_id, call)
        self.assertEqual(recording.alert_id, call.alert_id)

    def test_bad_items_are_refused_and_others_stored(self):
        bad_name = dict(item("x"), filename="../../etc/passwd.wav")
        not_wav = dict(item("y"), data=base64.b64encode(b"hello").decode())
        stored = self.bridge.recordings_done([bad_name, not_wav, item("1764000003.1")])
        self.assertEqual(stored, ["1764000003.1.wav"])

    def test_only_the_bridge_user_hands_recordings_over(self):
        for user in (self.operator, self.supervisor):
            with self.assertRaises(AccessError):
                self.env["eldercare.pbx.bridge"].with_user(user).recordings_done(
                    [item("1764000004.1")]
                )

    def test_supervisor_plays_operator_and_portal_are_refused(self):
        self.emergency_call("1764000005.1")
        self.bridge.recordings_done([item("1764000005.1")])
        recording = self.Recording.search([("linkedid", "=", "1764000005.1")])
        as_supervisor = recording.with_user(self.supervisor)
        self.assertTrue(as_supervisor.audio)
        self.assertIn(
            f"/web/content/eldercare.call.recording/{recording.id}/audio",
            as_supervisor.player,
        )
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "eldercare.call.recording"),
                ("res_id", "=", recording.id),
                ("res_field", "=", "audio"),
            ]
        )
        self.assertTrue(attachment.with_user(self.supervisor).datas)
        for user in (self.operator, self.portal):
            with self.assertRaises(AccessError):
                recording.with_user(user).read(["audio"])
            with self.assertRaises(AccessError):
                attachment.with_user(user).read(["datas"])
            # nor through the call log row or the alert
            with self.assertRaises(AccessError):
                self.call_of("1764000005.1").with_user(user).read(["recording_ids"])
        with self.assertRaises(AccessError):
            as_supervisor.unlink()

    def test_purge_after_the_retention_period(self):
        self.env.company.eldercare_recording_retention_days = 30
        now = fields.Datetime.now()
        old_at = fields.Datetime.to_string(now - timedelta(days=31))
        recent_at = fields.Datetime.to_string(now - timedelta(days=29))
        self.bridge.recordings_done(
            [
                item("1764000006.1", recorded_at=old_at),
                item("1764000006.2", recorded_at=recent_at),
            ]
        )
        old = self.Recording.search([("linkedid", "=", "1764000006.1")])
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "eldercare.call.recording"),
                ("res_id", "=", old.id),
                ("res_field", "=", "audio"),
            ]
        )
        self.assertTrue(attachment)
        self.Recording._cron_purge_recordings()
        self.assertFalse(old.exists())
        self.assertFalse(attachment.exists())
        self.assertTrue(self.Recording.search([("linkedid", "=", "1764000006.2")]))
        # 0 keeps them forever
        self.env.company.eldercare_recording_retention_days = 0
        self.bridge.recordings_done([item("1764000006.3", recorded_at=old_at)])
        self.Recording._cron_purge_recordings()
        self.assertTrue(self.Recording.search([("linkedid", "=", "1764000006.3")]))

    def test_cron_is_installed(self):
        cron = self.env.ref("eldercare_asterisk.ir_cron_eldercare_purge_recordings")
        self.assertEqual(cron.code, "model._cron_purge_recordings()")
        self.assertTrue(cron.active)


@tagged("post_install", "-at_install")
class TestCallRecordingPlayback(HttpCase):
    """The browser's player fetches /web/content/...: supervisors get the
    audio, operators and portal users do not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        bridge_user = cls.env.ref("eldercare_asterisk.user_eldercare_bridge")
        cls.env["eldercare.pbx.bridge"].with_user(bridge_user).recordings_done(
            [item("1764200001.1", 1.5)]
        )
        cls.recording = cls.env["eldercare.call.recording"].search(
            [("linkedid", "=", "1764200001.1")]
        )
        for login, groups in (
            ("ec_play_supervisor", "eldercare_base.group_eldercare_supervisor"),
            ("ec_play_operator", "eldercare_base.group_eldercare_operator"),
            ("ec_play_provider", "eldercare_base.group_eldercare_provider"),
        ):
            new_test_user(cls.env, login=login, password=login, groups=groups)

    def fetch(self, login):
        self.authenticate(login, login)
        return self.url_open(
            f"/web/content/eldercare.call.recording/{self.recording.id}/audio"
        )

    def test_supervisor_plays_the_recording(self):
        response = self.fetch("ec_play_supervisor")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("audio/"))
        self.assertEqual(response.content[:4], b"RIFF")

    def test_operator_and_portal_user_are_refused(self):
        for login in ("ec_play_operator", "ec_play_provider"):
            response = self.fetch(login)
            self.assertIn(response.status_code, (403, 404), login)
            self.assertNotEqual(response.content[:4], b"RIFF", login)
