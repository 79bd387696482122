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
