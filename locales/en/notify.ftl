## /subscribe and following projects

cmd-subscribe = Choose the news you follow
subscribe-menu = What would you like news of? Tap to follow; tap a ✅ to stop. A dong brings its meetings, newly eligible proposals and results; district-wide announcements concern the whole district.
subscribe-projects-none = Projects: none yet. Open a proposal (/proposals) and tap 🔔 Follow to get its news.
subscribe-projects = Projects you follow: { $list }. To stop, open one with /proposal and its number.
follow-on = You now follow { $name }.
follow-off = You no longer follow { $name }.
follow-project = 🔔 Follow
unfollow-project = 🔕 Stop following
news-eligible = New in { $area }: proposal #{ $id } “{ $title }” passed the department review with a cost of { $cost } and goes to the residents' vote.
news-open = Open it

## Announcements and delivery (officials)

admin-announce-button = 📣 Announcement
admin-delivery-button = 📊 Delivery
announce-choose-area = Who should the announcement reach? “District-wide” reaches everyone who follows district announcements or any dong.
announce-district = District-wide
announce-ask-korean = Type the announcement for { $area } in Korean (at most { $max } characters). You can add an English version next. (/cancel to stop)
announce-ask-english = Type the English version (at most { $max } characters). (/cancel to stop)
announce-need-text = Please type the announcement as text.
announce-too-long = That is { $length } characters; an announcement may have at most { $max }. Please shorten it.
announce-preview = Preview — announcement to { $area }, for { $count } followers as of now:
announce-no-english = (No English version: English readers get the Korean text.)
announce-send = 📣 Send to { $count }
announce-add-english = Add an English version
announce-cancel = Drop it
announce-use-buttons = The announcement is ready: send or drop it with the buttons under the preview. (/cancel to stop)
announce-gone = This announcement was already sent or dropped.
announce-queued = Announcement #{ $id } is queued for { $count } recipients. Telegram takes about 30 messages a second, so a large audience takes a few minutes; 📊 Delivery shows the progress.
announce-cancelled = The announcement was dropped; nothing was sent.
announce-message =
    📣 { $area } — announcement

    { $text }
delivery-header = Delivery of the latest broadcasts, as of { $at }
delivery-none = Nothing has been broadcast yet.
delivery-line =
    #{ $id } { $kind } · { $subject } · { $at }
    { $recipients } recipients: { $sent } sent, { $queued } waiting, { $failed } failed, { $blocked } blocked the bot
delivery-refresh = 🔄 Refresh
broadcast-kind-announcement = Announcement
broadcast-kind-proposal-eligible = Eligible proposal
broadcast-kind-meeting-scheduled = Meeting scheduled
broadcast-kind-meeting-moved = Meeting moved
broadcast-kind-round-open = Voting opened
broadcast-kind-round-closed = Voting closed
broadcast-kind-meeting-cancelled = Meeting cancelled
committee-appointed = 🏛 You are appointed to the { $district } PB committee for { $year }. Thank you for taking this on! Committee meetings and the committee ballot will reach you here.
broadcast-kind-results = Results
broadcast-kind-results-chart = Results chart
broadcast-kind-execution-update = Project update
broadcast-kind-execution-digest = Quarterly project digest
broadcast-kind-execution-photo = Project photo
