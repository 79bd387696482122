## 투표 (/vote)

cmd-vote = 우리 동 사업 우선순위 투표
vote-kind-approval = 찬성 투표
vote-kind-ranked = 순위 투표
vote-kind-knapsack = 예산 배분 투표
vote-kind-cumulative = 점수 배분 투표
vote-round-title = { $area } { $kind }
vote-none = 지금 열려 있는 투표가 없어요. 우리 동 투표가 시작되면 알려 드릴게요.
vote-choose = 참여할 수 있는 투표가 여러 개예요. 어떤 투표를 할까요?
vote-closed = 마감된 투표예요.
vote-verify-first = 투표는 인증된 주민만 할 수 있어요. 먼저 /verify 로 인증해 주세요. 1분이면 돼요.
vote-other-dong = { $area } 주민을 위한 투표예요.
vote-committee-only = 주민참여예산위원만 참여하는 투표예요.
vote-old-message = 예전 투표 메시지예요. 가장 최근 메시지를 쓰거나 /vote 로 다시 열어 주세요.
vote-paper-entered = 종이 투표가 이미 입력되어 있어 투표가 반영되었어요.
vote-how = { $text } { $until }까지 참여할 수 있어요.
vote-how-approval = 지지하는 사업을 눌러 주세요. 최소 { $min }개, 최대 { $max }개까지 고를 수 있어요.
vote-how-ranked = 우선순위대로 최대 { $max }개를 눌러 주세요. 처음 누른 사업이 1순위예요. 다시 누르면 빠져요.
vote-how-knapsack = 예산을 주고 싶은 사업을 골라 주세요. 고른 사업의 합계가 예산 안에 들어야 해요.
vote-how-cumulative = ➕와 ➖로 최대 { $count }점을 나눠 주세요. 한 사업에는 { $max }점까지 줄 수 있어요.
vote-place = { $count }순위
vote-points = { $count }점
vote-standing-approval = { $count }개 선택 (최소 { $min }개, 최대 { $max }개)
vote-standing-ranked = { $count }개 순위 지정 (최대 { $max }개)
vote-standing-knapsack = { $text } { $pot } 중 { $cost }
vote-standing-cumulative = 남은 점수: { $max }점 중 { $left }점
vote-picks = 전체 선택: { $list }
vote-ready = ✅ 제출할 수 있어요.
vote-needed-pick = 제출하려면 사업을 하나 이상 골라 주세요.
vote-submit = 📨 제출하기
vote-confirm = { $title } 내용을 확인해 주세요. 제출하면 저장돼요.
vote-confirm-yes = ✅ 네, 제출할게요
vote-confirm-change = ✏️ 고칠게요
vote-stored =
    🗳 { $title } 투표가 저장되었어요. 고맙습니다!
    영수증 번호: { $code }
    결과가 공개되면 익명 처리된 내 투표 옆에 이 번호가 표시돼요. { $until }까지 /vote 로 바꿀 수 있고, 마지막 투표가 반영돼요.
vote-stored-again =
    🗳 { $title } 투표를 바꿨어요. 이번 투표가 반영돼요.
    새 영수증 번호: { $code }
    { $until }까지 /vote 로 다시 바꿀 수 있어요.
vote-error-unknown = #{ $id }번은 이 투표에 없는 사업이에요.
vote-error-twice = #{ $id }번을 두 번 적었어요.
vote-error-too-many = 최대 { $max }개까지 고를 수 있어요. 먼저 하나를 빼 주세요.
vote-error-too-few = 제출하려면 최소 { $min }개를 골라 주세요.
vote-error-over-pot = 합계 { $cost }(으)로 예산 { $pot }을 넘어요. 먼저 사업 하나를 빼 주세요.
vote-error-points = 남은 점수가 없어요(전체 { $max }점). 먼저 ➖로 점수를 빼 주세요.
vote-error-per-project = #{ $id }번에는 최대 { $max }점까지 줄 수 있어요.
vote-error-empty = 제출하려면 사업을 하나 이상 골라 주세요.
vote-typed-format = 사업 번호를 띄어 써 주세요. 예: /vote 3 7 12 (순위 투표는 우선순위 순서대로)
vote-typed-format-points = 사업 번호와 점수를 함께 적어 주세요. 예: /vote 3:2 7:1
vote-typed-which = 그 번호로 열린 투표가 없어요. /vote 로 확인해 주세요.
vote-typed-several =
    참여할 수 있는 투표가 여러 개예요. 투표 번호를 앞에 붙여 주세요. 예: /vote r5 3 7 12
    { $list }
vote-reminder-draft = ⏰ { $area } 투표를 아직 제출하지 않았어요. { $until }에 마감돼요. 투표를 열고 📨 제출하기를 눌러 주세요.
vote-reminder = ⏰ { $area } 투표가 { $until }에 마감돼요. 아직 투표하지 않으셨어요. 1분이면 충분해요.
vote-open = 🗳 투표 열기
vote-reminders-off = 🔕 투표 알림 그만 받기
vote-reminders-off-done = 이제 투표 알림을 보내지 않을게요.
vote-news-open = 🗳 { $area } 우선순위 투표가 시작되었어요. { $until }까지 /vote 로 지지하는 사업을 골라 주세요.
vote-news-closed = 🗳 { $area } 투표가 마감되었어요. 참여해 주신 모든 분께 감사드려요. 결과는 위원회 검토를 거쳐 알려 드릴게요.

## 담당자: 투표
admin-rounds-button = 🗳 투표 관리
admin-rounds = 🗳 { $year }년 투표 { $count }건이에요. 개표 결과는 마감 전까지 보이지 않고, 투표 참여 수는 바로 볼 수 있어요.
admin-round-new = ➕ 투표 만들기
admin-rounds-back = ⬅ 투표 목록
admin-round-void = 무효
admin-round-scheduled = { $at } 시작 예정
admin-round-open = { $until }까지 진행 중
admin-round-closed = 마감
admin-round-window = 투표 기간: { $from } ~ { $until }
admin-round-rule = { $text } 결과 결정 방식: { $kind }
admin-round-void-reason = 열리지 않음: { $reason }
admin-round-projects = 투표 대상 사업: { $count }개
admin-round-turnout = 지금까지 투표: { $count }명
admin-round-area = 어느 지역의 투표인가요? 동을 고르거나, 구 전체·위원회 투표는 구 전체를 골라 주세요.
admin-round-stage = { $area } 투표는 누가 하나요?
admin-round-stage-dong = 이 동의 인증된 주민
admin-round-stage-district = 구의 모든 인증된 주민
admin-round-stage-committee = 주민참여예산위원
admin-round-kind = 어떤 방식의 투표인가요?
admin-round-ask-approval = 한 사람이 고르는 사업 수의 최소와 최대를 적어 주세요. 예: 1 3
admin-round-ask-ranked = 순위를 매길 수 있는 사업 수를 적어 주세요. 예: 3
admin-round-ask-cumulative = 한 사람이 나눌 점수와 한 사업에 줄 수 있는 최대 점수를 적어 주세요. 예: 10 3
admin-round-bad-limits = 이 방식에 맞지 않는 숫자예요. 모두 1 이상이어야 하고, 최소가 최대보다 클 수 없어요.
admin-round-ask-window =
    투표는 언제 시작하고 마감하나요? 서울 시간으로 적어 주세요. 예:
    지금 ~ 12/10 18:00
    12/3 09:00 ~ 12/10 18:00
    12월 3일 9시 ~ 12월 10일 18시
admin-round-bad-opens = 시작 시각을 읽지 못했어요. 12/3 09:00이나 지금처럼 쓰고 ~ 뒤에 마감 시각을 적어 주세요.
admin-round-bad-closes = 마감 시각을 읽지 못했어요. 시작과 마감 사이에 ~ 를 넣고, 마감은 12/10 18:00처럼 적어 주세요.
admin-round-closes-before = 마감은 시작보다 늦어야 해요.
admin-round-closes-past = 이미 지난 마감 시각이에요.
admin-round-ask-rule = 결과는 어떤 방식으로 정할까요?
admin-rule-greedy = 득표순: 예산 안에 들어가는 사업을 차례로 선정
admin-rule-greedy-stop = 득표순: 예산을 넘는 첫 사업에서 멈춤
admin-rule-mes = 균등 배분 방식(MES)
admin-rule-mes-completed = 균등 배분 방식 + 남은 예산 득표순 보완
admin-rule-phragmen = 순차 프라그멘 방식
admin-round-preview = 투표를 만들기 전에 확인해 주세요.
admin-round-eligible = 지금 이 지역의 적격 사업: { $count }개 (투표가 시작될 때의 적격 사업이 투표에 올라가요). 예산: { $pot }
admin-round-save = 🗳 투표 만들기
admin-round-saved = 투표(#{ $id })를 만들었어요. { $at }에 저절로 시작되고, 그때 구독자에게 알려 드려요.
admin-round-open-card = 투표 보기

## 종이 투표 (퍼실리테이터·담당자)
admin-paper-button = 📝 종이 투표 입력
paper-no-round = 지금 종이 투표를 입력할 수 있는 투표가 없어요.
paper-choose = 어느 투표의 종이 투표를 입력할까요?
paper-ask =
    { $title } 종이 투표를 입력해 주세요. 한 줄에 한 장씩, 명부상 전화번호와 사업 번호를 적어 주세요(순위 투표는 순서대로, 점수 투표는 3:2 7:1). 예:
    010-1234-5678 3 7 12
    여러 줄을 한 번에 보내도 돼요. 종이 투표는 그 주민의 채팅 투표를 대신해요. 다 입력했으면 /cancel 을 보내 주세요.
paper-line-format = { $count }번째 줄: 전화번호, 띄어쓰기, 사업 번호 순서로 적어 주세요.
paper-line-entered = { $count }번째 줄: 입력했어요. 영수증 번호 { $code }
paper-line-replaced = { $count }번째 줄: 이전 투표를 대신해 입력했어요. 영수증 번호 { $code }
paper-line-problem = { $count }번째 줄: 입력하지 못했어요 — { $reason }
paper-not-on-roll = 명부에 없는 전화번호예요.
paper-more = 더 입력하거나, 다 했으면 /cancel 을 보내 주세요.
