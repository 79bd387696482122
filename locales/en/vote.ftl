## Ballots (/vote)

cmd-vote = Vote the priorities of your dong's projects
vote-kind-approval = approval ballot
vote-kind-ranked = ranked ballot
vote-kind-knapsack = budget ballot
vote-kind-cumulative = points ballot
vote-round-title = { $area } { $kind }
vote-none = No ballot is open now. You will hear when voting opens in your dong.
vote-choose = Several ballots are open for you. Which one?
vote-closed = This ballot is closed.
vote-verify-first = Only verified residents vote. Verify first with /verify (it takes a minute).
vote-other-dong = This ballot is for residents of { $area }.
vote-committee-only = This ballot is for members of the PB committee.
vote-old-message = This is an older ballot message. Use the latest one, or send /vote to open it again.
vote-paper-entered = A paper ballot was entered for you, so your vote is already counted.
vote-how = { $text } Open until { $until }.
vote-how-approval = Tap the projects you support: at least { $min }, at most { $max }.
vote-how-ranked = Tap projects in order of priority, up to { $max }: the first you tap is your first choice. Tap again to take one out.
vote-how-knapsack = Pick the projects you would fund; together they must fit in the pot.
vote-how-cumulative = Spread up to { $count } points with ➕ and ➖, at most { $max } on one project.
vote-place = { $count }.
vote-points = { $count } pt
vote-standing-approval = Picked { $count } (at least { $min }, at most { $max })
vote-standing-ranked = Ranked { $count } of up to { $max }
vote-standing-knapsack = { $text } { $cost } of { $pot }
vote-standing-cumulative = Points left: { $left } of { $max }
vote-picks = Your picks on every page: { $list }
vote-ready = ✅ Ready to submit.
vote-needed-pick = Pick at least one project to submit.
vote-submit = 📨 Submit
vote-confirm = Please check your { $title } before it is stored:
vote-confirm-yes = ✅ Yes, submit
vote-confirm-change = ✏️ Change it
vote-stored =
    🗳 Your { $title } is stored. Thank you!
    Receipt: { $code }
    Keep it: it will stand next to your anonymised ballot in the published results. You can change your ballot with /vote until { $until }; the last one counts.
vote-stored-again =
    🗳 Your { $title } is changed; this one counts now.
    New receipt: { $code }
    You can change it again with /vote until { $until }.
vote-error-unknown = #{ $id } is not on this ballot.
vote-error-twice = #{ $id } is named twice.
vote-error-too-many = You can pick at most { $max }. Take one out first.
vote-error-too-few = Pick at least { $min } to submit.
vote-error-over-pot = That would cost { $cost }, more than the pot of { $pot }. Take a project out first.
vote-error-points = You have no points left: at most { $max } in all. Take one back with ➖ first.
vote-error-per-project = At most { $max } points on #{ $id }.
vote-error-empty = Pick at least one project to submit.
vote-typed-format = Type project numbers separated by spaces, e.g. /vote 3 7 12 (for a ranked ballot, in order of preference).
vote-typed-format-points = Type each project with its points, e.g. /vote 3:2 7:1.
vote-typed-which = No open ballot of yours has that number. Send /vote to see them.
vote-typed-several =
    Several ballots are open for you. Start with the ballot's number, e.g. /vote r5 3 7 12:
    { $list }
vote-reminder-draft = ⏰ Your ballot in { $area } is not submitted yet. Voting closes { $until }: open it and tap 📨 Submit.
vote-reminder = ⏰ Voting in { $area } closes { $until }, and you have not voted yet. It takes a minute.
vote-open = 🗳 Open the ballot
vote-reminders-off = 🔕 No more voting reminders
vote-reminders-off-done = You will get no more voting reminders.
vote-news-open = 🗳 Voting is open in { $area } until { $until }. Send /vote to choose the projects you support.
vote-news-closed = 🗳 Voting in { $area } has closed. Thank you to everyone who voted; the results come after the committee's review.

## Officials: ballot rounds
admin-rounds-button = 🗳 Ballot rounds
admin-rounds = 🗳 Ballot rounds of { $year }: { $count }. Tallies stay hidden until a round closes; turnout is shown as it goes.
admin-round-new = ➕ Create a round
admin-rounds-back = ⬅ Rounds
admin-round-void = void
admin-round-scheduled = opens { $at }
admin-round-open = open until { $until }
admin-round-closed = closed
admin-round-window = Voting: { $from } – { $until }
admin-round-rule = { $text } Outcome rule: { $kind }.
admin-round-void-reason = Not opened: { $reason }.
admin-round-projects = Projects on the ballot: { $count }
admin-round-turnout = Ballots so far: { $count }
admin-round-area = Which area votes? Choose the dong, or the district-wide area for a district or committee ballot.
admin-round-stage = Who votes in { $area }?
admin-round-stage-dong = the dong's verified residents
admin-round-stage-district = every verified resident of the district
admin-round-stage-committee = the PB committee's members
admin-round-kind = Which kind of ballot?
admin-round-ask-approval = Type the fewest and the most projects a voter picks, e.g. 1 3.
admin-round-ask-ranked = Type how many projects a voter may rank, e.g. 3.
admin-round-ask-cumulative = Type the points each voter spreads and the most on one project, e.g. 10 3.
admin-round-bad-limits = Those numbers do not work for this kind (each at least 1; the fewest not above the most).
admin-round-ask-window =
    When does voting open and close? Seoul time, for example:
    now ~ 12/10 18:00
    12/3 09:00 ~ 12/10 18:00
    12월 3일 9시 ~ 12월 10일 18시
admin-round-bad-opens = I could not read the opening. Write it like 12/3 09:00 or now, then ~ and the closing.
admin-round-bad-closes = I could not read the closing. Put ~ between opening and closing, and write it like 12/10 18:00.
admin-round-closes-before = The round must close after it opens.
admin-round-closes-past = That closing time has already passed.
admin-round-ask-rule = Which rule will decide the outcome?
admin-rule-greedy = Greedy: by score, every project that still fits
admin-rule-greedy-stop = Greedy, stopping at the first that does not fit
admin-rule-mes = Method of Equal Shares
admin-rule-mes-completed = Equal Shares, completed by greedy
admin-rule-phragmen = Sequential Phragmén
admin-round-preview = Please check the round before it is created:
admin-round-eligible = Eligible projects in the area now: { $count } (the ballot holds those eligible at opening). Pot: { $pot }.
admin-round-save = 🗳 Create the round
admin-round-saved = Round #{ $id } is created. It opens by itself { $at } and its followers are told then.
admin-round-open-card = Open the round

## Paper ballots (facilitators and officials)
admin-paper-button = 📝 Paper ballots
paper-no-round = No ballot round is open for paper ballots now.
paper-choose = Which round are the paper ballots for?
paper-ask =
    Paper ballots for { $title }: type one ballot a line, the voter's phone number as on the roll and the project numbers (ranked: in order; points: 3:2 7:1), e.g.
    010-1234-5678 3 7 12
    Several lines at once are fine. A paper ballot replaces the voter's chat ballot. /cancel when done.
paper-line-format = Line { $count }: write the phone number, a space, then the project numbers.
paper-line-entered = Line { $count }: entered, receipt { $code }.
paper-line-replaced = Line { $count }: entered in place of the voter's earlier ballot, receipt { $code }.
paper-line-problem = Line { $count }: not entered — { $reason }
paper-not-on-roll = this phone number is not on the roll.
paper-more = Type more lines, or /cancel when done.
