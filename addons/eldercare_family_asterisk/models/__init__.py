from . import eldercare_relative
