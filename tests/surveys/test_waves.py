"""Waves from the programme's dates, their states from the UK date, and moving them."""

from datetime import date, datetime

import pytest

from tests import factories
from tracker.core import clock
from tracker.surveys import waves
from tracker.surveys.models import Wave


def dates(programme, open_days=14):
    return [(w.number, w.opens_on, w.closes_on) for w in waves.calendar(programme, open_days)]


def test_one_wave_each_survey_interval_from_the_start_across_the_evaluation(world):
    programme = world.programme  # starts 1 January 2026, 12 months, surveys every 3 months
    assert dates(programme) == [(1, date(2026, 1, 1), date(2026, 1, 14)), (2, date(2026, 4, 1), date(2026, 4, 14)),
                                (3, date(2026, 7, 1), date(2026, 7, 14)), (4, date(2026, 10, 1), date(2026, 10, 14)),
                                (5, date(2027, 1, 1), date(2027, 1, 14))]
    programme.survey_interval_months, programme.evaluation_months = 6, 18
    assert [d[1] for d in dates(programme)] == [date(2026, 1, 1), date(2026, 7, 1), date(2027, 1, 1),
                                                date(2027, 7, 1)]


def test_a_start_on_the_31st_and_a_leap_year(world):
    programme = world.programme
    programme.start_date = date(2027, 8, 31)
    assert [d[1] for d in dates(programme)] == [date(2027, 8, 31), date(2027, 11, 30), date(2028, 2, 29),
                                                date(2028, 5, 31), date(2028, 8, 31)]
    assert dates(programme, open_days=1)[0][2] == date(2027, 8, 31)


def test_states_follow_the_uk_date_across_summer_time(world, survey):
    wave = survey.waves[2]  # 1 to 14 July 2026
    assert waves.state(wave, date(2026, 6, 30)) == waves.WaveState.SCHEDULED
    assert waves.state(wave, date(2026, 7, 1)) == waves.WaveState.OPEN
    assert waves.state(wave, date(2026, 7, 14)) == waves.WaveState.OPEN
    assert waves.state(wave, date(2026, 7, 15)) == waves.WaveState.CLOSED
    # 23:30 UTC on 30 June is 00:30 on 1 July in the UK: the wave is open.
    with clock.frozen(datetime(2026, 6, 30, 23, 30)):
        assert waves.state(wave) == waves.WaveState.OPEN
    # 23:30 UTC on 14 July is already 15 July in the UK: it has closed.
    with clock.frozen(datetime(2026, 7, 14, 23, 30)):
        assert waves.state(wave) == waves.WaveState.CLOSED


def test_existing_waves_keep_their_dates_and_missing_ones_are_added(world, survey):
    first = survey.waves[0]
    waves.move(first, opens_on=date(2026, 1, 5), closes_on=date(2026, 1, 20), today=date(2025, 12, 1))
    world.programme.evaluation_months = 18
    made = waves.ensure_waves(survey)
    assert [w.number for w in made] == [1, 2, 3, 4, 5, 6, 7]
    assert (made[0].opens_on, made[0].closes_on) == (date(2026, 1, 5), date(2026, 1, 20))


def test_moving_a_wave(world, survey):
    wave: Wave = survey.waves[1]
    with pytest.raises(waves.WaveError):
        waves.move(wave, opens_on=date(2026, 4, 10), closes_on=date(2026, 4, 9), today=date(2026, 3, 1))
    with pytest.raises(waves.WaveError):  # closed on 14 April; it cannot open again
        waves.move(wave, opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 30), today=date(2026, 5, 1))
    waves.move(wave, opens_on=date(2026, 4, 6), closes_on=date(2026, 4, 24), today=date(2026, 3, 1))
    assert (wave.opens_on, wave.closes_on) == (date(2026, 4, 6), date(2026, 4, 24))


def test_the_current_or_next_wave(world, survey):
    with clock.frozen(datetime(2026, 5, 1, 12)):
        assert waves.current_or_next(survey).number == 3
    with clock.frozen(datetime(2026, 7, 2, 12)):
        assert waves.current_or_next(survey).number == 3
    with clock.frozen(datetime(2030, 1, 1, 12)):
        assert waves.current_or_next(survey).number == 5
    other = factories.make_programme(world.facilitator, name="Empty")
    assert waves.calendar(other, 14)[0].opens_on == other.start_date
