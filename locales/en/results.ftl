## Results (/results, publication, officials' review)

cmd-results = Results of closed votes and what happened to your picks
results-none = No results are published yet. You will hear as soon as they are.
results-choose = Results of which vote?
results-open = 🏁 See the results
results-title = 🏁 Results: { $area }, { $kind } ({ $ballots } ballots)
results-funded-head = Funded: { $count ->
        [one] 1 project
       *[other] { $count } projects
    }, { $used } of the pot of { $pot }
results-funded-line = ✅ #{ $id } { $title } — { $cost } · { $score }
results-unfunded-head = Not funded:
results-unfunded-line = ▫️ #{ $id } { $title } — { $cost } · { $score }
results-excluded-line = 🚫 #{ $id } { $title } — excluded for a legal reason: { $reason }
results-votes = { $count ->
        [one] 1 vote
       *[other] { $count } votes
    }
results-points = { $count ->
        [one] 1 point
       *[other] { $count } points
    }
results-rule = Counted by the rule “{ $rule }”. The anonymised ballots of round { $round } are public: anyone can count them again with pb-bot tally.
results-yours-head = Your ballot (receipt { $code }):
results-yours-empty = You picked no project.
results-why-funded = ✅ #{ $id } { $title }: funded.
results-why-no-room = ▫️ #{ $id } { $title }: not funded. After the projects with more support, { $left } was left of the pot, less than its cost of { $cost }.
results-why-stopped = ▫️ #{ $id } { $title }: not funded. This rule stops at the first project that does not fit, and a project with more support did not.
results-why-share = ▫️ #{ $id } { $title }: not funded. Every voter controls an equal share of the pot, and the shares of those who chose it, after paying for their other funded picks, could not cover its cost of { $cost }.
results-why-excluded = 🚫 #{ $id } { $title }: excluded for a legal reason: { $reason }
results-review-button = 🏁 Outcome
results-review = This is the outcome of round { $round } as counted. Check it, exclude a project for a legal reason if you must, then confirm: residents are told at once.
results-publish = ✅ Confirm and publish
results-published = Published. { $count ->
        [one] 1 voter is
       *[other] { $count } voters are
    } told what happened to their picks.
results-published-at = Published { $at }.
results-already-published = This outcome is already published.
results-not-closed = This round has no outcome: it is not closed, or it was void.
results-chart-title = Results: { $area }, { $kind } ({ $ballots } ballots)
results-chart-pot = Pot { $pot }: { $used } funded
results-chart-funded = funded
results-chart-unfunded = not funded
results-chart-excluded = excluded (legal reason)
results-chart-more = … and { $count } more
results-exclusions-button = 🚫 Exclude a project
results-exclusions = Round { $round }: tap a project to exclude it for a legal reason; you will then type the reason, which every resident sees. Tap one marked ↩️ to take its exclusion back.
results-exclude-ask = Why is #{ $id } { $title } excluded? Type the legal reason, at most { $max } characters. Every resident will see it. Send /cancel to stop.
results-exclude-invalid = The reason must be text of 1 to { $max } characters. Type it again, or send /cancel.
results-excluded = #{ $id } is excluded. Here is the outcome counted without it.
results-readmitted = #{ $id } is back in the count.
results-not-on-ballot = That project is not on this round's ballot.
results-blended-score = { $score }/100
results-rule-blended = The committee's decision: residents' vote { $resident }%, committee { $committee }%, survey { $survey }%. Each is scaled so its best project scores 1; projects are funded by the weighted sum, highest first, while the pot lasts.
results-closed-official = 🗳 Round { $round } ({ $area }, { $kind }) has closed. Review its outcome and confirm it: residents hear of it only then.
results-live-button = 📊 Count so far
results-live = 📊 Round { $round } is still open: this is the count so far, for officials only (your look is recorded). Residents see nothing until it closes, and the outcome is confirmed only then.
results-follow-picks = 🔔 Follow my funded picks
results-following-picks = You now follow { $count ->
        [one] your funded pick
       *[other] your { $count } funded picks
    }: each update of how it is carried out will reach you. /unsubscribe stops it.
results-follow-picks-none = None of your picks in this vote was funded.
