## 회의

meeting-stage-first = 1차 동 지역회의
meeting-stage-second = 2차 동 지역회의
meeting-stage-committee = 참여예산위원회 회의
meeting-stage-forum = 민관 토론회
meeting-scheduled =
    📅 { $area } { $stage } 일정을 알려 드려요.
    일시: { $when } ~ { $until }
    장소: { $venue }
meeting-notes = 안내: { $notes }
meeting-capacity = 정원: { $capacity }명
cmd-meetings = 다가오는 회의와 참석 응답
meetings-header = 다가오는 회의예요. 회의를 누르면 참석 여부를 알려 주거나 캘린더에 담을 수 있어요.
meetings-none = 지금은 예정된 회의가 없어요. 일정이 잡히면 알려 드릴게요.
meetings-none-follow = 지금은 예정된 구 전체 회의가 없어요. /subscribe 에서 우리 동을 구독하면 동 회의 일정도 알려 드려요.
meeting-rsvp-line = 참석 예정 { $going }명 · 내 응답: { $answer }
meeting-my-going = 참석
meeting-my-not-going = 불참
meeting-my-none = 아직 없음
meeting-going = ✅ 참석할게요
meeting-not-going = ❌ 못 가요
meeting-calendar = 📅 캘린더에 추가
meeting-calendar-caption = 이 파일을 열면 휴대폰 캘린더에 회의 일정이 추가돼요.
meeting-rsvp-going = 참석으로 알려 드렸어요. 시작 전에 다시 알려 드리고, 일정이 바뀌면 바로 알려 드릴게요.
meeting-rsvp-not-going = 불참으로 알려 드렸어요.
meeting-rsvp-full = 정원이 다 찼어요. 자리가 나면 다시 눌러 주세요.
meeting-rsvp-past = 이미 시작했거나 끝난 회의예요.
meeting-gone = 취소되었거나 없는 회의예요. /meetings 에서 다시 확인해 주세요.
meeting-follow-dong = 🔔 { $dong } 소식 받기
meeting-moved =
    🕒 { $area } { $stage } 일정이 바뀌었어요.
    변경 전: { $was }
    변경 후: { $when } ~ { $until }
    장소: { $venue }
meeting-cancelled = ❌ { $when }에 { $venue }에서 열릴 예정이던 { $area } { $stage }가 취소되었어요. 일정이 바뀌어 죄송합니다.
meeting-reminder =
    ⏰ { $area } { $stage } 잊지 마세요!
    일시: { $when } ~ { $until }
    장소: { $venue }
    그때 만나요.
meeting-open = 회의 보기

## 출석 확인
cmd-checkin = 회의 출석 코드 입력
meeting-checkin-open-button = 🧾 출석 확인 시작
meeting-checkin-close-button = 🔒 출석 확인 마감
checkin-opened =
    🧾 { $area } { $stage } 출석 확인을 시작했어요. { $until }까지 받아요.
    코드: { $code }
    링크: { $link }
    입구에서 코드나 QR 이미지를 보여 주세요. 주민은 /checkin { $code } 를 보내거나 링크를 열면 돼요.
checkin-not-allowed = 출석 확인은 퍼실리테이터와 구청 담당자만 시작할 수 있어요.
checkin-too-early = 출석 확인은 회의 시작 2시간 전({ $at })부터 열 수 있어요.
checkin-over = 이미 끝난 회의라 출석 확인을 열 수 없어요.
checkin-closed-now = { $area } { $stage } 출석 확인을 마감했어요. 출석 { $count }명.
checkin-not-open = 이 회의는 지금 출석 확인을 받고 있지 않아요.
checkin-recorded = ✅ { $area } { $stage } 출석이 확인되었어요. 와 주셔서 고맙습니다!
checkin-already = { $area } { $stage } 출석은 이미 확인되었어요.
checkin-closed = { $area } { $stage } 출석 확인이 마감되었어요. 현장의 퍼실리테이터에게 말씀해 주세요.
checkin-cancelled = 취소된 회의라 출석 확인을 할 수 없어요.
checkin-unknown = 이 출석 코드로 열린 회의가 없어요. 현장에 안내된 코드를 다시 확인해 주세요.
checkin-format = 회의장에 안내된 코드를 /checkin AB3XYZ 처럼 보내 주세요(영문·숫자 6자리). 퍼실리테이터가 알려 준 링크를 열어도 돼요.

admin-facilitators-button = 🧑‍🏫 퍼실리테이터
admin-facilitators = 🧑‍🏫 퍼실리테이터 { $count }명. 회의에서 출석 확인을 열 수 있어요.
admin-facilitator-grant = ➕ 역할 부여
admin-facilitator-revoke = ➖ 역할 해제
admin-facilitator-ask = 주민의 명부상 전화번호(예: 010-1234-5678)나 텔레그램 사용자 ID를 입력해 주세요. (/cancel 로 취소)
admin-facilitator-unknown = 아직 봇을 시작하지 않은 분이에요. 먼저 /start 를 보내 달라고 한 뒤 다시 해 주세요.
admin-facilitator-granted = { $id } 님을 퍼실리테이터로 지정하고 알려 드렸어요.
admin-facilitator-already = { $id } 님은 이미 퍼실리테이터예요.
admin-facilitator-revoked = { $id } 님의 퍼실리테이터 역할을 해제했어요.
admin-facilitator-not = { $id } 님은 퍼실리테이터가 아니에요.
facilitator-granted = 🧑‍🏫 주민참여예산 퍼실리테이터로 지정되셨어요. 회의 날 /meetings 에서 회의를 열고 ‘출석 확인 시작’을 누르면 주민에게 보여 줄 코드가 나와요. 고맙습니다!

## 담당자: 회의
admin-meetings-button = 🗓 회의
admin-meetings = 🗓 { $year }년 회의 { $count }건이에요. 회의를 누르면 일정 변경·취소, 출석 확인, 참석 현황을 볼 수 있어요.
admin-meeting-new = ➕ 회의 일정 등록
admin-meeting-back = ⬅ 회의 목록
admin-meeting-area = 어디에서 열리나요? 동을 고르거나, 위원회 회의·토론회는 구 전체를 골라 주세요.
admin-meeting-stage = { $area }의 어떤 회의인가요?
admin-meeting-ask-when =
    언제 열리나요? 시작과 끝을 서울 시간으로 적어 주세요. 예:
    2026-12-03 19:00 ~ 21:00
    12/3 19:00 ~ 21:00
    12월 3일 19시 ~ 21시
admin-meeting-bad-start = 시작 시각을 읽지 못했어요. 2026-12-03 19:00, 12/3 19:00, 12월 3일 19시처럼 쓰고 ~ 뒤에 끝나는 시각을 적어 주세요.
admin-meeting-bad-end = 끝나는 시각을 읽지 못했어요. 시작과 끝 사이에 ~ 를 넣고, 끝은 21:00, 21시, 12/3 21:00처럼 적어 주세요.
admin-meeting-no-such-time = 없는 날짜나 시각이에요(2/30, 25:00 등). 다시 확인해 주세요.
admin-meeting-past = 이미 지난 시각이에요. 앞으로의 일정을 적어 주세요.
admin-meeting-ends-before = 끝나는 시각이 시작보다 늦어야 해요.
admin-meeting-too-long = 회의는 최대 { $max }시간까지 등록할 수 있어요. 끝나는 시각을 확인해 주세요.
admin-meeting-ask-venue =
    어디에서 열리나요? 장소를 한국어로 적고, 영어 이름이 있으면 / 뒤에 이어 적어 주세요.
    연희동 주민센터 3층 / Yeonhui-dong Community Centre 3F
admin-meeting-bad-venue = 장소 이름은 각각 1~{ $max }자로 적어 주세요.
admin-meeting-ask-notes = 주민이 알아야 할 안내(준비물, 주차, 돌봄 등)가 있으면 적어 주세요. 없으면 건너뛰세요.
admin-meeting-bad-notes = 안내는 { $max }자까지 쓸 수 있어요.
admin-meeting-ask-capacity = 정원이 있나요? 인원수를 적거나, 제한이 없으면 건너뛰세요.
admin-meeting-bad-capacity = 1~{ $max } 사이의 인원수를 적거나 건너뛰세요.
admin-meeting-skip = 건너뛰기
admin-meeting-preview = 회의 내용을 확인해 주세요. 구독자 { $count }명에게 각자의 언어로 안내가 나가요.
admin-meeting-save = 📣 등록하고 알리기
admin-meeting-saved = 회의(#{ $id })를 등록했어요. 구독자 { $count }명에게 안내를 보내고 있어요.
admin-meeting-draft-gone = 이 작성 화면은 이미 닫혔어요. /admin 에서 다시 시작해 주세요.
admin-meeting-use-buttons = 미리보기 아래 버튼을 눌러 주세요. 그만두려면 /cancel 을 보내 주세요.
admin-meeting-counts = 참석 { $going }명 · 불참 { $answer }명 · 출석 확인 { $count }명
admin-meeting-checkin-line = 출석 확인 진행 중: 코드 { $text }, { $until }까지.
admin-meeting-cancelled-line = { $at }에 취소됨.
admin-meeting-move = 🕒 일정 변경
admin-meeting-cancel = ❌ 회의 취소
admin-meeting-ask-move = 회의(#{ $id }, 현재 { $when })의 새 시작과 끝을 적어 주세요. 예: 12/3 19:00 ~ 21:00
admin-meeting-move-confirm = 회의(#{ $id }) 일정을 { $was }에서 { $when } ~ { $until }(으)로 옮길까요? 구독자와 참석 예정 주민 { $going }명에게 알려 드려요.
admin-meeting-move-yes = 🕒 변경하고 알리기
admin-meeting-moved = 회의(#{ $id }) 일정을 바꿨어요. 변경 안내를 보내고 있어요.
admin-meeting-cancel-confirm = { $when } 회의(#{ $id })를 취소할까요? 구독자와 참석 예정 주민 { $going }명에게 알려 드려요.
admin-meeting-cancel-yes = ❌ 취소하고 알리기
admin-meeting-cancelled-done = 회의(#{ $id })를 취소했어요. 취소 안내를 보내고 있어요.
admin-meeting-changed = 그사이 회의가 바뀌었어요(일정 변경 또는 취소). 지금 상태를 보여 드릴게요.
