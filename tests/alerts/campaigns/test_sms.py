"""SMS length as Chinese providers count it, the BMP rule, templates and their variables."""

from __future__ import annotations

import pytest

from citybrain.alerts.campaigns import sms
from citybrain.core.errors import ValidationFailed

SIG = len(sms.SIGNATURE)  # 【双流应急】 = 6 characters


@pytest.mark.parametrize(("body_chars", "segments"), [
    (70 - SIG, 1), (71 - SIG, 2), (134 - SIG, 2), (135 - SIG, 3), (201 - SIG, 3), (202 - SIG, 4), (500 - SIG, 8),
])
def test_segments_count_the_signature(body_chars: int, segments: int) -> None:
    text, n = sms.check("汛" * body_chars)
    assert n.chars == body_chars + SIG and n.segments == segments


def test_over_500_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as e:
        sms.check("汛" * (501 - SIG), "text")
    assert e.value.field == "text" and "500" in str(e.value)


def test_outside_the_bmp_normalised_or_refused() -> None:
    text, n = sms.check("水位𝟏𝟐米")  # mathematical digits → plain digits
    assert text == "水位12米" and n.normalised == ["𝟏→1", "𝟐→2"]
    with pytest.raises(ValidationFailed) as e:
        sms.check("注意安全🌧", "text")
    assert e.value.field == "text" and "U+1F327" in str(e.value) and "position 5" in str(e.value)
    with pytest.raises(ValidationFailed):
        sms.check("𠀀家村", "text")  # CJK Extension B: no plain equivalent


def test_a_missing_variable_is_named() -> None:
    tpl = "气象台{time}发布暴雨{level}预警，{street}请加强巡查。"
    assert sms.variables_of(tpl) == ["time", "level", "street"]
    with pytest.raises(ValidationFailed) as e:
        sms.render(tpl, {"time": "今晚", "level": "红色"})
    assert e.value.field == "variables.street" and "{street}" in str(e.value)
    with pytest.raises(ValidationFailed) as e:
        sms.render(tpl, {"time": "今晚", "level": " ", "street": "东升街道"})
    assert e.value.field == "variables.level"
    assert sms.render(tpl, {"time": "今晚", "level": "红色", "street": "东升街道"}) == \
        "气象台今晚发布暴雨红色预警，东升街道请加强巡查。"
    for bad in ("{0}", "{a.b}", "{a!r}", "{a:>9}", "{unclosed"):
        with pytest.raises(ValidationFailed):
            sms.variables_of(bad)
