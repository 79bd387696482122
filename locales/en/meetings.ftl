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
