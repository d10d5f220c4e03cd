"""Where `confab tail` resumes from: the highest `seq` received a margin before the loss, or one read."""

from __future__ import annotations

import pytest

import confab.client.resume_point
import confab.client.tail
from confab.client.resume_point import RESUME_HISTORY_SECONDS, RESUME_MARGIN_SECONDS, ResumePoint
from confab.client.tail import Tail

START = 1_000.0


def test_a_pushed_seq_counts_once_the_margin_has_passed_and_a_read_one_at_once():
    point = ResumePoint()
    point.note_arrival(70, START)
    assert point.since(START) == 0
    assert point.since(START + RESUME_MARGIN_SECONDS - 0.001) == 0
    assert point.since(START + RESUME_MARGIN_SECONDS) == 70
    point.note_read(65)
    assert point.since(START) == 65


def test_it_answers_for_the_moment_of_the_loss_however_long_ago():
    point = ResumePoint()
    point.note_arrival(20, START)
    point.note_arrival(31, START + 30)
    # Lost just after 31 arrived: 30 (committed before it, on another worker) may have been on its way.
    assert point.since(START + 30.001) == 20
    assert point.since(START + 45) == 31


def test_arrivals_close_together_share_a_record_that_never_counts_before_its_last_arrival():
    point = ResumePoint()
    for step in range(5000):  # 50 seconds, a hundred a second
        point.note_arrival(100 + step, START + step / 100)
    assert len(point.arrivals) <= 51
    lost_at = START + 25.005
    arrived_by_then = 100 + int((lost_at - RESUME_MARGIN_SECONDS - START) * 100)
    assert arrived_by_then - 100 <= point.since(lost_at) <= arrived_by_then


def test_arrivals_older_than_the_history_are_forgotten_and_then_the_last_read_seq_is_used():
    point = ResumePoint()
    point.note_read(5)
    point.note_arrival(50, START)
    point.note_arrival(60, START + RESUME_HISTORY_SECONDS + 2)
    assert len(point.arrivals) == 1
    assert point.since(START + 2 * RESUME_MARGIN_SECONDS) == 5


@pytest.fixture
def clock(monkeypatch):
    """`time.monotonic` for the tail and its resume point, moved by the test."""
    now = [START]
    monkeypatch.setattr(confab.client.tail.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(confab.client.resume_point.time, "monotonic", lambda: now[0])
    return now


def dm(message_id: int, seq: int) -> dict:
    author = {"id": 2, "name": "Bob", "nickname": "bob"}
    recipient = {"id": 1, "name": "Alice", "nickname": "alice"}
    return {
        "id": message_id,
        "seq": seq,
        "content": f"message {message_id}",
        "date": "2026-11-29T10:00:00Z",
        "author": author,
        "recipient": recipient,
        "room_id": None,
    }


async def test_tail_resumes_from_last_id_until_synced_then_from_where_it_stood_before_the_loss(clock, capsys):
    tail = Tail("http://confab.test", "token", last_id=7, room_names={})
    assert tail.handshake_cursor() == {"last_id": 7}
    await tail.on_synced({"last_id": 7, "seq": 40, "complete": True})
    await tail.on_message(dm(8, 41))
    clock[0] += 60
    await tail.on_message(dm(10, 43))  # 42, pushed by another worker, is still on its way
    tail.lost()
    clock[0] += 30
    assert tail.handshake_cursor() == {"since": 41}
    await tail.on_synced({"last_id": 10, "seq": 43, "complete": True})
    assert tail.handshake_cursor() == {"since": 43}


async def test_tail_on_resync_resumes_from_before_the_link_between_workers_broke(clock, capsys):
    tail = Tail("http://confab.test", "token", last_id=7, room_names={})
    await tail.on_synced({"last_id": 7, "seq": 40, "complete": True})
    await tail.on_message(dm(8, 41))
    clock[0] += 60
    # The link broke 30 seconds ago; this worker's own events kept coming (seq 45), the others' were lost.
    await tail.on_message(dm(12, 45))
    clock[0] += 20
    tail.lost(lost_for=30)
    assert tail.handshake_cursor() == {"since": 41}
