from . import eldercare_checkin_attempt, eldercare_checkin_call, eldercare_checkin_plan
