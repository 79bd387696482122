## Carrying out funded projects (/project, execution updates)

cmd-project = A project: its card, or what was decided and why
project-usage = Please give the project's number, e.g. /project 12.
execution-card-head = 🏗 Project #{ $id } · { $area }
execution-card-department = Department in charge: { $department }
execution-no-department = not assigned yet
execution-card-status = Status: { $status } · { $progress }%
execution-card-money = Approved { $approved } · spent so far { $spent }
execution-card-note = Note: { $note }
execution-no-updates = No updates yet.
execution-updates-head = Latest updates:
execution-status-planned = planned
execution-status-in_progress = in progress
execution-status-delayed = delayed
execution-status-completed = completed
execution-status-cancelled = cancelled
execution-decided-in = Decided in round { $round }:
execution-not-decided = Not decided yet. Status: { $status }.
execution-news-head = 🏗 #{ $id } { $title }: an update
execution-changed-status = status { $from } → { $to }
execution-changed-progress = progress { $from }% → { $to }%
execution-changed-spent = spent { $from } → { $to } (of { $approved })
execution-changed-department = now in charge: { $department }
execution-changed-nothing = no change in status, progress or spending
execution-open-card = 📋 Project card
