"""Eldercare telephony bridge: Asterisk (FastAGI + AMI) <-> Odoo (JSON-RPC).

Pure Python / asyncio, no Odoo import. Run with::

    PYTHONPATH=addons/eldercare_asterisk python3 -m eldercare_bridge
"""

__version__ = "18.0.1.0.0"
