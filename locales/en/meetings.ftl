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
meeting-rsvp-going = You're down as going. You'll hear if the meeting moves.
meeting-rsvp-not-going = You're down as not going.
meeting-rsvp-full = The meeting is full. Try again if a place frees up.
meeting-rsvp-past = This meeting has begun or is over.
meeting-gone = This meeting was cancelled or does not exist. See /meetings for what is coming.
meeting-follow-dong = 🔔 Follow { $dong }
