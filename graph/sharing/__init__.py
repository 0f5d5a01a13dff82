"""Sharing (共享): share requests and answers, objections, working-day deadlines, supervision.

The place of issue 15; nothing is built here yet. What it will hold, as DESIGN "Sharing", "The
rulebook and working days" and the regulations set it out:

- A share request (`ShareRequest`) is made by a department for one resource (purpose 用途,
  scenario 应用场景, items, share mode, period) and lives at the entry's origin instance;
  submitted → approved (terms) / refused (reasons, always) → delivered → closed, or withdrawn.
  UNCONDITIONAL requests are approved without a person (national 第十、十二条).
- An objection (疑义/纠错) names an entry and what is wrong; the provider confirms, then corrects.
- Deadlines count official working days (工作日, 调休 included), Beijing dates; past the last
  known year of the calendar a date is computed on weekends alone and marked provisional.
- The rulebook holds the deadlines in force at an instance, each with its article: by default
  the State Council's 《政务数据共享条例》 (2025).

It stays in `graph` (a pure domain with its stores' part), so `sync` and `federation` may use it
and it imports neither.
"""
