## Officials' menu

admin-only = This is for district officials only.
admin-menu =
    Officials' menu — { $year } cycle
    Phase: { $phase }
    Waiting for review: { $waiting }
admin-review-button = Review queue ({ $waiting })
admin-phases-button = Phases
admin-back = ◀ Menu
admin-review-empty = No proposal is waiting for review.
admin-review-waiting = Waiting for review: { $waiting }
admin-eligible = ✅ Eligible
admin-ineligible = ❌ Not eligible
admin-next = Skip to the next ▶
admin-review-already = Proposal #{ $id } was already reviewed ({ $status }).
admin-ask-reviewed-cost = Proposal #{ $id } is eligible. What is the reviewed cost? The proposer estimated { $estimated }; the area's budget is { $pot }. (/cancel to stop)
admin-ask-reason = Proposal #{ $id } is not eligible. Please type the reason; it is shown publicly (at most { $max } characters). (/cancel to stop)
admin-reason-invalid = Please type the reason as text, at most { $max } characters.
admin-reviewed = Proposal #{ $id } is now “{ $status }”. The proposer has been told.
admin-phases =
    { $year } cycle: phase “{ $phase }” since { $since }.
    Move to:
admin-phase-changed = The phase was changed meanwhile. Here it is as it stands now.
admin-phase-confirm = Move the cycle from “{ $from }” to “{ $to }” now?
admin-phase-yes = Yes, move it
admin-phase-moved = The cycle moved from “{ $from }” to “{ $to }”.
admin-codes-button = Verification codes
admin-unbind-button = Unbind a resident
admin-codes-dong = Issue verification codes for which dong? (For large print runs use `pb-bot admin codes issue`.)
admin-codes-count = How many codes for { $dong }?
admin-codes-issued = { $count } verification codes for { $dong }, valid until { $until }. Print them and hand each to one resident; they are stored only as hashes, so this file is the only copy.
admin-unbind-ask = Type the resident's phone number as on the roll (e.g. 010-1234-5678) or their Telegram user id. (/cancel to stop)
admin-unbind-done = Unbound. The resident can verify again.
admin-unbind-none = No verified resident matches that number or id.
