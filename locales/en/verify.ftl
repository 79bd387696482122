## /verify

cmd-verify = Verify that you live here (to vote)
cmd-mydata = Everything stored about you
cmd-forgetme = Delete your personal data

verify-intro = Only verified residents can vote. There are two ways to verify:
verify-intro-phone = 📱 Tap “Share my phone number” below. If your number is on the district's resident roll, you are verified at once. We keep only a code derived from it, never the number itself.
verify-intro-code = 🔑 Or type the 8-character verification code you received at your community service centre or a dong meeting (e.g. ABCD-EFGH).
verify-share-button = 📱 Share my phone number
verify-unavailable = Verification is not open in this district yet.
verify-phone-off = This district does not verify by phone number. Please use a verification code from your community service centre.
verify-codes-off = This district does not use verification codes. Please verify with /verify by sharing your phone number.
verify-contact-not-yours = That is not your own phone number. Please tap “Share my phone number” under /verify — a forwarded or typed contact can't be accepted.
verify-phone-foreign = Only Korean phone numbers are on the resident roll. Please ask your community service centre for a verification code.
verify-no-match = Your number is not on the resident roll. If you live here, ask your community service centre for a verification code and type it after /verify.
verify-too-young = Residents aged { $min } and over can take part; according to the roll you are not yet { $min } this year.
verify-done = You are verified as a resident of { $dong }. You will get news of your dong.
verify-already = You are already verified as a resident of { $dong }.
verify-entry-taken = This resident is already verified with another Telegram account. If that was not you, please contact your community service centre.
verify-code-format = A verification code has 8 letters and digits, e.g. ABCD-EFGH. Please check it and type it again.
verify-code-wrong = That code is not valid. { $left ->
        [one] One more wrong code and code verification will be locked for a while.
       *[other] You can try { $left } more times.
    }
verify-code-expired = That code has expired. Please ask your community service centre for a new one.
verify-code-used = That code has already been used. Please ask your community service centre for a new one.
verify-locked = Too many wrong codes. You can try a code again from { $until }.

## /mydata and /forgetme

mydata-header = Everything this bot keeps about you:
mydata-language-chosen = Language: { $language } (your choice)
mydata-language-app = Language: from your Telegram app ({ $language })
mydata-verified = Verified: resident of { $dong }, { $method }, since { $at }
mydata-method-phone = by phone number (only a code derived from it is kept)
mydata-method-code = with a verification code
mydata-not-verified = Verified: no
mydata-no-subscriptions = News you follow: none
mydata-subscriptions = News you follow: { $list }
mydata-district-news = district announcements
mydata-no-proposals = Your proposals: none
mydata-proposals = Your proposals: { $list }
mydata-votes-none = Ballots: you have not voted in any ballot round.
mydata-votes = Ballots (kept under a key only this server can make, not under your name): { $list }
mydata-paper = paper ballot
mydata-dialogue = An unfinished step (such as a draft proposal) is saved.
mydata-meeting-answers = Meeting answers: { $list }
mydata-attended = Meetings you were checked in at: { $list }
mydata-courses = Budget School: { $list }
mydata-facilitator = Role: facilitator (you may open check-in at meetings)
mydata-committee = PB committee member: { $list }
course-basic = basic course
course-instructor = PB instructor course
course-committee = committee course
mydata-footer = /forgetme deletes all of this. Proposals you submitted stay public, without your name.
forget-ask = Delete everything this bot keeps about you — language, verification, subscriptions and drafts? Your proposals stay public but are no longer linked to you. This cannot be undone.
forget-yes = Yes, delete my data
forget-no = No, keep it
forget-done = Done. Everything personal about you has been deleted. If you write again, you start afresh.
forget-kept = Nothing was deleted.

## /unsubscribe

cmd-unsubscribe = Stop news you follow
unsubscribe-none = You don't follow any news.
unsubscribe-choose = Which news should I stop sending you?
unsubscribe-done = You will no longer get news of { $name }.
