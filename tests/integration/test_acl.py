"""Least privilege on the PBX, tried against the real Asterisk:

* operator phones are ACL'd (pjsip.conf ``acl``/``contact_acl`` ->
  acl.conf ``[eldercare-operators]``, the tests' center network being
  127.0.0.1 only): operator 1001 registering from 127.0.0.2 - another
  loopback address, a machine outside the center's network as far as
  Asterisk can tell - is refused even with the right password, while the
  same registration from 127.0.0.1 succeeds;
* a phone presenting another operator's identity (registering extension 1001
  with 1002's credentials) is refused;
* the bridge's AMI account (manager.conf) has neither ``command`` nor
  ``system`` rights: the CLI through AMI, a reload and AstDB writes are
  refused, while what the bridge uses (CoreShowChannels, QueueStatus) works.
"""

import pytest
from stack import OperatorPhone

pytestmark = pytest.mark.timeout(300)


def _phone(stack, ext):
    return OperatorPhone(
        ext, stack.asterisk.sip_port, stack.asterisk.operator_secret, stack.workdir
    )


def _contacts(stack, ext):
    return stack.asterisk.cli(f"pjsip show aor {ext}")


def test_operator_registration_from_outside_the_center_network_is_refused(stack):
    phone = _phone(stack, "1001")
    try:
        with pytest.raises(AssertionError, match="could not register"):
            phone.register(local_ip="127.0.0.2")
        assert "127.0.0.2" not in _contacts(stack, "1001")
    finally:
        # the stack's own phone 1001 (from 127.0.0.1) is registered again:
        # proves the refusal above was the address, not the password
        stack.operators[0].register()
    assert "127.0.0.1" in _contacts(stack, "1001")


def test_operator_with_another_operators_identity_is_refused(stack):
    phone = _phone(stack, "1001")
    try:
        with pytest.raises(AssertionError, match="could not register"):
            phone.register(auth_user="1002")
    finally:
        stack.operators[0].register()


@pytest.mark.parametrize(
    "action,headers",
    [
        ("Command", {"Command": "core show version"}),
        ("Command", {"Command": "core stop now"}),
        ("Reload", {}),
        ("DBPut", {"Family": "eldercare_fallback", "Key": "x", "Val": "y"}),
    ],
)
def test_ami_account_has_no_command_nor_system_rights(stack, action, headers):
    resp = stack.ami.action(action, **headers)
    assert resp.get("Response") == "Error", resp
    assert "permission denied" in str(resp.get("Message", "")).lower(), resp


def test_ami_account_keeps_what_the_bridge_uses(stack):
    resp = stack.ami.action("QueueStatus", Queue="eldercare-emergency")
    assert resp.get("Response") == "Success", resp
    resp = stack.ami.action("CoreShowChannels")
    assert resp.get("Response") == "Success", resp
