## Meetings

meeting-stage-first = first dong meeting
meeting-stage-second = second dong meeting
meeting-stage-committee = PB committee meeting
meeting-stage-forum = public-private forum
meeting-scheduled =
    📅 { $area }: the { $stage } is scheduled.
    When: { $when } – { $until }
    Where: { $venue }
meeting-notes = Note: { $notes }
meeting-capacity = Places: { $capacity }
cmd-meetings = Upcoming meetings and your answer
meetings-header = Upcoming meetings. Tap one to say whether you are coming or to add it to your calendar.
meetings-none = No meeting is scheduled for now. You will hear when one is.
meetings-none-follow = No district-wide meeting is scheduled for now. Follow your dong with /subscribe to hear of its meetings too.
meeting-rsvp-line = Going: { $going } · Your answer: { $answer }
meeting-my-going = going
meeting-my-not-going = not going
meeting-my-none = none yet
meeting-going = ✅ I'm going
meeting-not-going = ❌ Can't go
meeting-calendar = 📅 Add to calendar
meeting-calendar-caption = Open this file to add the meeting to your phone's calendar.
meeting-rsvp-going = You're down as going. We'll remind you before it starts and tell you if it moves.
meeting-rsvp-not-going = You're down as not going.
meeting-rsvp-full = The meeting is full. Try again if a place frees up.
meeting-rsvp-past = This meeting has begun or is over.
meeting-gone = This meeting was cancelled or does not exist. See /meetings for what is coming.
meeting-follow-dong = 🔔 Follow { $dong }
meeting-moved =
    🕒 { $area }: the { $stage } has moved.
    Was: { $was }
    Now: { $when } – { $until }
    Where: { $venue }
meeting-cancelled = ❌ { $area }: the { $stage } on { $when } at { $venue } is cancelled. We're sorry for the change.
meeting-reminder =
    ⏰ Reminder: { $area } { $stage }
    When: { $when } – { $until }
    Where: { $venue }
    See you there!
meeting-open = Open the meeting

## Check-in
cmd-checkin = Check in at a meeting with its code
meeting-checkin-open-button = 🧾 Open check-in
meeting-checkin-close-button = 🔒 Close check-in
checkin-opened =
    🧾 Check-in is open for { $area } { $stage } until { $until }.
    Code: { $code }
    Link: { $link }
    Show the code or the QR image at the door: residents send /checkin { $code } or open the link.
checkin-not-allowed = Only facilitators and district officials can open check-in.
checkin-too-early = Check-in opens two hours before the start, at { $at }.
checkin-over = This meeting is over, so check-in can no longer open.
checkin-closed-now = Check-in for { $area } { $stage } is closed. Checked in: { $count }.
checkin-not-open = Check-in is not open for this meeting.
checkin-recorded = ✅ You're checked in at { $area } { $stage }. Thank you for coming!
checkin-already = You're already checked in at { $area } { $stage }.
checkin-closed = Check-in for { $area } { $stage } has closed. Please ask the facilitator at the venue.
checkin-cancelled = That meeting was cancelled, so there is nothing to check in to.
checkin-unknown = No meeting has this check-in code. Check the code shown at the venue.
checkin-format = Send the code shown at the meeting, like /checkin AB3XYZ (six letters and digits), or open the link the facilitator shares.

admin-facilitators-button = 🧑‍🏫 Facilitators
admin-facilitators = 🧑‍🏫 Facilitators: { $count }. They may open check-in at meetings.
admin-facilitator-grant = ➕ Grant the role
admin-facilitator-revoke = ➖ Revoke the role
admin-facilitator-ask = Type the resident's phone number as on the roll (e.g. 010-1234-5678) or their Telegram user id. (/cancel to stop)
admin-facilitator-unknown = That person has not opened the bot yet. Ask them to send /start first, then try again.
admin-facilitator-granted = { $id } is now a facilitator and has been told.
admin-facilitator-already = { $id } was already a facilitator.
admin-facilitator-revoked = { $id } is no longer a facilitator.
admin-facilitator-not = { $id } was not a facilitator.
facilitator-granted = 🧑‍🏫 You are now a facilitator of participatory budgeting. At a meeting, open it with /meetings and tap “Open check-in” to give residents the code. Thank you!

## Officials: meetings
admin-meetings-button = 🗓 Meetings
admin-meetings = 🗓 Meetings of { $year }: { $count }. Tap one to move or cancel it, open check-in or see who came.
admin-meeting-new = ➕ Schedule a meeting
admin-meeting-back = ⬅ Meetings
admin-meeting-area = Where is the meeting? Choose the dong, or the district for committee meetings and the forum.
admin-meeting-stage = Which meeting in { $area }?
admin-meeting-ask-when =
    When is it? Type the start and the end in Seoul time, for example:
    2026-12-03 19:00 ~ 21:00
    12/3 19:00 ~ 21:00
    12월 3일 19시 ~ 21시
admin-meeting-bad-start = I could not read the start. Write it like 2026-12-03 19:00, 12/3 19:00 or 12월 3일 19시, then ~ and the end.
admin-meeting-bad-end = I could not read the end. Put ~ between start and end, and write the end like 21:00, 21시 or 12/3 21:00.
admin-meeting-no-such-time = That day or time does not exist (such as 2/30 or 25:00). Please check it.
admin-meeting-past = That start has already passed. Please give a time ahead.
admin-meeting-ends-before = The end must come after the start.
admin-meeting-too-long = A meeting can last at most { $max } hours. Please check the end.
admin-meeting-ask-venue =
    Where is it? Type the venue in Korean; add the English name after a slash if you like:
    연희동 주민센터 3층 / Yeonhui-dong Community Centre 3F
admin-meeting-bad-venue = Each venue name must be 1 to { $max } characters.
admin-meeting-ask-notes = Anything residents should know (what to bring, parking, childcare)? Type it, or skip.
admin-meeting-bad-notes = Notes can be at most { $max } characters.
admin-meeting-ask-capacity = How many places are there? Type a number, or skip if there is no limit.
admin-meeting-bad-capacity = Type a number of people from 1 to { $max }, or skip.
admin-meeting-skip = Skip
admin-meeting-preview = Please check the meeting. It will be announced to { $count } followers, in their language.
admin-meeting-save = 📣 Schedule and announce
admin-meeting-saved = Meeting #{ $id } is scheduled; the announcement to { $count } followers is on its way.
admin-meeting-draft-gone = This draft is no longer open. Start again from /admin.
admin-meeting-use-buttons = Please use the buttons below the preview, or /cancel to drop it.
admin-meeting-counts = Going: { $going } · Not going: { $answer } · Checked in: { $count }
admin-meeting-checkin-line = Check-in is open until { $until } with code { $text }.
admin-meeting-cancelled-line = Cancelled { $at }.
admin-meeting-move = 🕒 Move
admin-meeting-cancel = ❌ Cancel meeting
admin-meeting-ask-move = Type the new start and end of meeting #{ $id } (now { $when }), for example 12/3 19:00 ~ 21:00.
admin-meeting-move-confirm = Move meeting #{ $id } from { $was } to { $when } – { $until }? Its followers and the { $going } residents going will be told.
admin-meeting-move-yes = 🕒 Move and notify
admin-meeting-moved = Meeting #{ $id } moved; the notice is on its way.
admin-meeting-cancel-confirm = Cancel meeting #{ $id } on { $when }? Its followers and the { $going } residents going will be told.
admin-meeting-cancel-yes = ❌ Cancel and notify
admin-meeting-cancelled-done = Meeting #{ $id } is cancelled; the notice is on its way.
admin-meeting-changed = This meeting changed meanwhile (moved or cancelled). Here it is as it stands now.
