from datetime import datetime, timezone

from odoo.tests import tagged

from odoo.addons.eldercare_base.tools import utc_datetime

from .common import EldercareCommon


@tagged("post_install", "-at_install")
class TestContactHelpers(EldercareCommon):
    """The one best-number rule, the one address formatter and the one
    timestamp parser, as a coordinator sees them on a work order."""

    def _order(self, elder):
        return self.env["eldercare.work.order"].create(
            {
                "elder_id": elder.id,
                "product_id": self.plumbing.id,
                "date_scheduled": datetime(2026, 12, 1, 2, 0),
            }
        )

    def test_work_order_shows_the_number_to_call_in_the_one_order(self):
        elder = self.elder_a
        self.assertEqual(self._order(elder).elder_phone, "13900001111")
        elder.mobile = False
        elder.home_phone = "010-8888 0000"
        self.assertEqual(self._order(elder).elder_phone, "010-8888 0000")
        elder.home_phone = False
        elder.phone = "010-7777 0000"
        # a certified phone (the one-key phone) before the partner's phone
        self.assertEqual(self._order(elder).elder_phone, "13700137000")
        elder.elder_phone_ids.action_archive()
        self.assertEqual(self._order(elder).elder_phone, "010-7777 0000")
        elder.phone = False
        self.assertFalse(self._order(elder).elder_phone)

    def test_address_is_one_line_largest_unit_first(self):
        self.elder_a.write(
            {
                "state_id": self.env.ref("base.state_cn_BJ").id,
                "city": "朝阳区",
                "street2": "近地铁站",
            }
        )
        self.assertEqual(
            self._order(self.elder_a).elder_address,
            "北京市 朝阳区 和平里三区12号楼2单元301 近地铁站",
        )
        self.assertFalse(self._order(self.elder_b).elder_address)

    def test_one_timestamp_parser_reads_every_form_the_wire_sends(self):
        expected = datetime(2026, 12, 1, 2, 3, 4)
        epoch = expected.replace(tzinfo=timezone.utc).timestamp()
        for value in (
            expected,
            expected.replace(microsecond=500),
            epoch,
            str(epoch + 0.25),
            "2026-12-01 02:03:04",
            "2026-12-01T02:03:04Z",
            "2026-12-01T10:03:04+08:00",
            "2026-12-01T02:03:04.123456",
        ):
            self.assertEqual(utc_datetime(value), expected, value)
        for value in (None, False, True, "", "   ", "yesterday", "1e400", "9" * 30):
            self.assertIs(utc_datetime(value), False, value)
