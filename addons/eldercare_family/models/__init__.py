from . import eldercare_relative, res_partner
