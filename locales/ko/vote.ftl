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
