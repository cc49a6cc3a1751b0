"""Python's `datetime` in programs: datetime, date, time and timedelta, each Python's own object shown to
the program (program_plain.native_class) with Python's operators (t1 - t0 a timedelta, its str 0:01:30,
total_seconds()), methods, printing and errors. Time zones are not provided (refused by name).
"""
from __future__ import annotations

import datetime

from .program_objects import Builtin
from .program_plain import native_class, native_object, plain_function

_DATE_METHODS = ("strftime", "isoformat", "weekday", "isoweekday", "replace", "timetuple", "toordinal", "ctime",
                 "isocalendar")
_DATE_FIELDS = ("year", "month", "day")
_TIME_FIELDS = ("hour", "minute", "second", "microsecond")


def _wrap(value):
    """What Python's datetime gave, as the program sees it (its datetimes, dates, times and timedeltas shown)."""
    made = _CLASSES.get(type(value))
    if made is not None:
        return made(value)
    if type(value) is tuple:
        return tuple(_wrap(v) for v in value)
    return value


DateTime = native_class("datetime.datetime", "datetime", (*_DATE_METHODS, "timestamp", "date", "time"),
                        (*_DATE_FIELDS, *_TIME_FIELDS), _wrap, shown_by_str=True, operators=True)
Date = native_class("datetime.date", "datetime", _DATE_METHODS, _DATE_FIELDS, _wrap, shown_by_str=True,
                    operators=True)
Time = native_class("datetime.time", "datetime", ("strftime", "isoformat", "replace"), _TIME_FIELDS, _wrap,
                    shown_by_str=True, operators=True)
TimeDelta = native_class("datetime.timedelta", "datetime", ("total_seconds",), ("days", "seconds", "microseconds"),
                         _wrap, shown_by_str=True, operators=True)
_CLASSES = {datetime.datetime: DateTime, datetime.date: Date, datetime.time: Time, datetime.timedelta: TimeDelta}


def _made_by(module, name, fn):
    plain = plain_function(module, name, fn)
    return Builtin(name, lambda *a, **k: _wrap(plain.fn(*map(native_object, a),
                                                         **{key: native_object(v) for key, v in k.items()})))


def entries(builtin_class) -> dict:
    def cls(name, real, methods=()):      # (a datetime is a date too, as Python's subclass)
        kinds = (Date, DateTime) if real is datetime.date else _CLASSES[real]
        return builtin_class(name, "datetime", kinds, _made_by("datetime", name, real).fn,
                             {m: _made_by(f"datetime.{name}", m, getattr(real, m)) for m in methods})
    return {"datetime": cls("datetime", datetime.datetime, ("now", "today", "fromisoformat", "strptime",
                                                            "fromtimestamp", "combine")),
            "date": cls("date", datetime.date, ("today", "fromisoformat", "fromtimestamp")),
            "time": cls("time", datetime.time, ("fromisoformat",)),
            "timedelta": cls("timedelta", datetime.timedelta), "MINYEAR": datetime.MINYEAR,
            "MAXYEAR": datetime.MAXYEAR}
