## General

not-understood = I didn't catch that. Type /help to see what I can do.
unknown-command = I don't know that command. Type /help for the list of commands.
button-invalid = This button isn't valid. Please use the buttons of the bot's latest message.
button-stale = This button is out of date. Please use the latest message.
error-internal = Sorry, something went wrong on our side. Please try again in a moment — what you entered so far is kept.
private-only = Let's talk in a private chat, so your proposals and choices stay yours: { $link }
attached-yes = yes
attached-no = no

## /start and phases

start-welcome =
    Hello! This is the participatory budgeting (PB) bot of { $district }.
    Residents propose and decide together how { $share }% of the district budget — { $pot } — is spent.

    The { $year } cycle is now in the phase “{ $phase }”.
    { $now }

    /help lists the commands; /lang changes the language.

phase-proposals = proposals
phase-dong_meeting_1 = first dong meetings
phase-review = department review
phase-dong_voting = dong priority votes
phase-committee = PB committee
phase-published = outcome published
phase-execution = project execution

phase-hint-proposals = Propose a project for your dong with /propose. See what other residents proposed with /proposals.
phase-hint-dong_meeting_1 = The first dong meetings are collecting opinions on the proposals. Browse them with /proposals.
phase-hint-dong_voting = Dongs are voting their priorities. Browse the eligible projects with /proposals.
phase-hint-review = District departments are reviewing the proposals; proposers are told the result. Follow along with /proposals.
phase-hint-committee = The PB committee is deliberating on the projects. Browse them with /proposals.
phase-hint-published = This year's outcome is fixed. See every project's status with /proposals.
phase-hint-execution = The selected projects are being carried out. See every project's status with /proposals.

## /help and the command menu

help-header = What you can do here:
cmd-start = What PB is and what you can do now
cmd-help = List of commands
cmd-lang = Change the language (한국어 / English)
cmd-propose = Propose a project
cmd-proposals = Browse proposals by area
cmd-proposal = Show one proposal by its number
cmd-myproposals = Your proposals and their status
cmd-cancel = Stop what you are doing
cmd-admin = Officials' menu

## /lang and /cancel

lang-choose = Which language would you like? / 어떤 언어로 안내할까요?
lang-set = Done — I'll speak English from now on.
cancel-done = Stopped. Nothing was submitted.
cancel-nothing = There was nothing to stop.

## Browsing proposals

browse-choose-area = Which area's proposals would you like to see?
browse-empty = No proposals for { $area } yet.
browse-header = { $area }: { $count ->
        [one] 1 proposal
       *[other] { $count } proposals
    } (page { $page } of { $pages })
nav-prev = ◀ Previous
nav-next = Next ▶
nav-areas = Areas

status-submitted = under review
status-eligible = eligible
status-ineligible = not eligible

proposal-usage = Please give the proposal's number, e.g. /proposal 12.
proposal-not-found = There is no proposal #{ $id }. Check the number in /proposals.

card-header = Proposal #{ $id } · { $area }
card-estimated = Estimated cost: { $cost }
card-reviewed = Reviewed cost: { $cost }
card-status = Status: { $status }
card-reason = Reason it is not eligible: { $reason }
card-photo = 📷 A photo is attached.
card-location = 📍 Location: { $lat }, { $lon }
card-history = History
card-show-photo = 📷 Show the photo
photo-caption = Photo of proposal #{ $id }

my-empty = You haven't proposed anything yet. Start with /propose.
my-header = { $count ->
        [one] Your proposal:
       *[other] Your { $count } proposals:
    }

## /propose

propose-intro = Let's write your proposal in six short steps. You can stop at any time with /cancel.
propose-closed = Proposals aren't being taken now: the cycle is in the phase “{ $phase }”. Browse the proposals with /proposals.
propose-limit = You have already submitted { $limit } proposals today, the daily limit. Please come back tomorrow.
propose-limit-kept = You have already submitted { $limit } proposals today, the daily limit. Your draft is kept: tap “Submit” again tomorrow.
propose-ask-area = 1/6 · Which area is your project for? Choose your dong, or the whole district.
propose-area-chosen = Area: { $area }
propose-area-unknown = I don't know that area. Please choose one of the buttons.
propose-ask-title = 2/6 · What is the project's title? One line, at most { $max } characters.
propose-ask-description = 3/6 · Describe the project: what is needed, where, and who benefits. At most { $max } characters.
propose-ask-cost = 4/6 · Roughly how much would it cost, in won? For example 3000000, 3,000,000 or 300만. The area's budget is { $pot }.
propose-ask-photo = 5/6 · Do you have a photo of the place? Send it, or tap “Skip”.
propose-ask-location = 6/6 · Where is it? Share a location (📎 → Location), or tap “Skip”.
propose-skip = Skip
propose-need-text = Please send this as a text message.
propose-need-photo = Please send a photo, or tap “Skip”.
propose-need-location = Please share a location (📎 → Location), or tap “Skip”.
propose-use-buttons = Please use the buttons under your proposal.
propose-summary =
    Please check your proposal:

    Area: { $area }
    Title: { $title }
    Cost: { $cost }
    Photo: { $photo } · Location: { $location }

    { $description }
propose-submit = ✅ Submit
propose-edit = ✏️ Edit
propose-cancel = Cancel
propose-choose-edit = What would you like to change?
field-area = Area
field-title = Title
field-description = Description
field-cost = Cost
field-photo = Photo
field-location = Location
propose-cancelled = Your proposal was discarded.
propose-submitted = Thank you! Your proposal #{ $id } “{ $title }” was submitted. The district will review it and I'll tell you the result. See it any time with /proposal { $id }.

propose-title-empty = The title is empty. Please type a short title.
propose-title-too-long = The title has { $len } characters; at most { $max } are allowed. Please shorten it.
propose-description-empty = The description is empty. Please describe the project.
propose-description-too-long = The description has { $len } characters; at most { $max } are allowed. Please shorten it.
propose-cost-above-pot = { $cost } is more than the whole budget of this area ({ $pot }). Please enter a smaller amount.

cost-empty = Please type an amount in won, e.g. 3000000 or 300만.
cost-not-a-number = I couldn't read that amount. Please type digits, optionally with 만 or 억: e.g. 3000000, 3,000,000, 300만 or 1.5억.
cost-negative = The amount can't be negative.
cost-zero = The amount must be more than zero.
cost-not-whole = Please give the amount in whole won.
cost-too-large = That amount is far too large.

## Messages to proposers

notify-eligible = Your proposal #{ $id } “{ $title }” was reviewed and is eligible, with a reviewed cost of { $cost }. It goes on to the residents' vote.
notify-ineligible = Your proposal #{ $id } “{ $title }” was reviewed and is not eligible. Reason: { $reason }
