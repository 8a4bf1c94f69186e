from odoo import http


def portal_post_route(path):
    """The route of a form that a logged-in portal user posts from one of
    their /my pages (a button: accept, decline, contact details...)."""
    return http.route([path], type="http", auth="user", methods=["POST"], website=True)
