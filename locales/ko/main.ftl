## 공통

not-understood = 무슨 말씀인지 잘 모르겠어요. /help 를 입력하면 할 수 있는 일을 안내해 드려요.
unknown-command = 없는 명령어예요. /help 에서 명령어 목록을 확인해 주세요.
button-invalid = 사용할 수 없는 버튼이에요. 가장 최근 메시지의 버튼을 눌러 주세요.
button-stale = 지난 메시지의 버튼이에요. 가장 최근 메시지에서 다시 눌러 주세요.
error-internal = 죄송해요, 잠시 문제가 생겼어요. 조금 뒤에 다시 시도해 주세요. 지금까지 입력하신 내용은 그대로 있어요.
private-only = 제안과 투표 내용은 소중한 개인 정보라서 1:1 대화에서만 안내해 드려요: { $link }
attached-yes = 있음
attached-no = 없음

## /start 와 단계

start-welcome =
    안녕하세요! { $district } 주민참여예산 안내 봇이에요.
    구 예산의 { $share }%인 { $pot }을 어디에 쓸지 주민이 직접 제안하고 함께 정해요.

    { $year }년 주민참여예산은 지금 「{ $phase }」 단계예요.
    { $now }

    명령어 목록은 /help, 언어 변경은 /lang 으로 할 수 있어요.

phase-proposals = 사업 제안 접수
phase-dong_meeting_1 = 1차 동 지역회의
phase-review = 부서 검토
phase-dong_voting = 동별 우선순위 투표
phase-committee = 참여예산위원회 심의
phase-published = 선정 결과 발표
phase-execution = 사업 집행

phase-hint-proposals = /propose 로 우리 동에 필요한 사업을 제안해 보세요. 다른 주민의 제안은 /proposals 에서 볼 수 있어요.
phase-hint-dong_meeting_1 = 1차 동 지역회의에서 제안 사업에 대한 의견을 모으고 있어요. 제안 목록은 /proposals 에서 볼 수 있어요.
phase-hint-dong_voting = 동별로 사업 우선순위를 정하는 기간이에요. 적격 사업은 /proposals 에서 확인해 보세요.
phase-hint-review = 구청 담당 부서에서 제안을 검토하고 있어요. 검토 결과는 제안하신 분께 알려 드려요. 진행 상황은 /proposals 에서 볼 수 있어요.
phase-hint-committee = 참여예산위원회에서 사업을 심의하고 있어요. 사업 목록은 /proposals 에서 볼 수 있어요.
phase-hint-published = 올해 선정 결과가 확정되었어요. 사업별 결과는 /proposals 에서 확인해 보세요.
phase-hint-execution = 선정된 사업을 추진하고 있어요. 사업별 현황은 /proposals 에서 볼 수 있어요.

## /help 와 명령어 메뉴

help-header = 이런 일을 할 수 있어요.
cmd-start = 주민참여예산 소개와 지금 할 수 있는 일
cmd-help = 명령어 안내
cmd-lang = 언어 변경 (한국어 / English)
cmd-propose = 사업 제안하기
cmd-proposals = 동별 제안 둘러보기
cmd-proposal = 번호로 제안 보기
cmd-myproposals = 내 제안과 진행 상황
cmd-cancel = 하던 일 그만두기
cmd-admin = 담당 공무원 메뉴

## /lang 과 /cancel

lang-choose = 어떤 언어로 안내할까요? / Which language would you like?
lang-set = 앞으로 한국어로 안내해 드릴게요.
cancel-done = 그만두었어요. 제출된 내용은 없어요.
cancel-nothing = 진행 중인 일이 없어요.

## 제안 둘러보기

browse-choose-area = 어느 지역의 제안을 볼까요?
browse-empty = { $area }에는 아직 제안이 없어요.
browse-header = { $area } 제안 { $count }건 ({ $page }/{ $pages }쪽)
nav-prev = ◀ 이전
nav-next = 다음 ▶
nav-areas = 지역 선택

status-submitted = 검토 중
status-eligible = 적격
status-ineligible = 부적격

proposal-usage = 제안 번호를 함께 입력해 주세요. 예: /proposal 12
proposal-not-found = { $id }번 제안은 없어요. /proposals 에서 번호를 확인해 주세요.

card-header = 제안 #{ $id } · { $area }
card-estimated = 예상 사업비: { $cost }
card-reviewed = 검토 사업비: { $cost }
card-status = 상태: { $status }
card-reason = 부적격 사유: { $reason }
card-photo = 📷 사진이 첨부되어 있어요.
card-location = 📍 위치: { $lat }, { $lon }
card-history = 진행 기록
card-show-photo = 📷 사진 보기
photo-caption = 제안 #{ $id }의 사진

my-empty = 아직 제안하신 사업이 없어요. /propose 로 시작해 보세요.
my-header = 내 제안 { $count }건

## /propose

propose-intro = 여섯 단계로 간단히 제안서를 작성할게요. 언제든 /cancel 로 그만둘 수 있어요.
propose-closed = 지금은 제안을 받지 않아요. 현재 「{ $phase }」 단계예요. 접수된 제안은 /proposals 에서 볼 수 있어요.
propose-limit = 오늘은 이미 { $limit }건을 제안하셔서 하루 제안 한도에 도달했어요. 내일 다시 제안해 주세요.
propose-limit-kept = 오늘은 이미 { $limit }건을 제안하셔서 하루 제안 한도에 도달했어요. 작성하신 내용은 저장해 두었으니 내일 「제출하기」를 다시 눌러 주세요.
propose-ask-area = 1/6 · 어느 지역의 사업인가요? 동을 고르시거나, 여러 동에 걸친 사업이면 구 전체를 골라 주세요.
propose-area-chosen = 지역: { $area }
propose-area-unknown = 지역을 찾지 못했어요. 아래 버튼에서 골라 주세요.
propose-ask-title = 2/6 · 사업 이름을 알려 주세요. 한 줄로, { $max }자 이내로 써 주세요.
propose-ask-description = 3/6 · 어떤 사업인지 설명해 주세요. 무엇이 필요한지, 어디에서, 누구에게 도움이 되는지 적어 주시면 좋아요. ({ $max }자 이내)
propose-ask-cost = 4/6 · 예상 사업비는 얼마인가요? 3000000, 3,000,000, 300만처럼 입력해 주세요. 이 지역의 배정 예산은 { $pot }이에요.
propose-ask-photo = 5/6 · 사업 장소 사진이 있으면 보내 주세요. 없으면 「건너뛰기」를 눌러 주세요.
propose-ask-location = 6/6 · 사업 장소의 위치를 공유해 주세요(📎 → 위치). 없으면 「건너뛰기」를 눌러 주세요.
propose-skip = 건너뛰기
propose-need-text = 글자로 입력해 주세요.
propose-need-photo = 사진을 보내 주시거나 「건너뛰기」를 눌러 주세요.
propose-need-location = 위치를 공유해 주시거나(📎 → 위치) 「건너뛰기」를 눌러 주세요.
propose-use-buttons = 제안서 아래의 버튼을 눌러 주세요.
propose-summary =
    제안 내용을 확인해 주세요.

    지역: { $area }
    사업명: { $title }
    예상 사업비: { $cost }
    사진: { $photo } · 위치: { $location }

    { $description }
propose-submit = ✅ 제출하기
propose-edit = ✏️ 고치기
propose-cancel = 취소
propose-choose-edit = 어떤 항목을 고칠까요?
field-area = 지역
field-title = 사업명
field-description = 사업 설명
field-cost = 예상 사업비
field-photo = 사진
field-location = 위치
propose-cancelled = 작성하던 제안을 취소했어요.
propose-submitted = 제안해 주셔서 감사해요! 「{ $title }」 제안이 { $id }번으로 접수되었어요. 구청 부서 검토가 끝나면 결과를 알려 드릴게요. 언제든 /proposal { $id } 로 확인할 수 있어요.

propose-title-empty = 사업 이름이 비어 있어요. 짧게 입력해 주세요.
propose-title-too-long = 사업 이름이 { $len }자예요. { $max }자 이내로 줄여 주세요.
propose-description-empty = 사업 설명이 비어 있어요. 어떤 사업인지 적어 주세요.
propose-description-too-long = 사업 설명이 { $len }자예요. { $max }자 이내로 줄여 주세요.
propose-cost-above-pot = { $cost }은 이 지역의 배정 예산({ $pot })보다 많아요. 더 적은 금액을 입력해 주세요.

cost-empty = 금액을 원 단위로 입력해 주세요. 예: 3000000 또는 300만
cost-not-a-number = 금액을 알아보지 못했어요. 숫자로 입력하거나 만·억 단위를 붙여 주세요. 예: 3000000, 3,000,000, 300만, 1.5억
cost-negative = 금액은 0보다 커야 해요.
cost-zero = 금액은 0보다 커야 해요.
cost-not-whole = 금액은 원 단위의 정수로 입력해 주세요.
cost-too-large = 금액이 너무 커요. 다시 확인해 주세요.

## 제안자에게 보내는 알림

notify-eligible = 제안하신 #{ $id } 「{ $title }」 사업이 부서 검토 결과 적격으로 판정되었습니다. 검토 사업비는 { $cost }이며, 주민 투표 대상이 됩니다.
notify-ineligible = 제안하신 #{ $id } 「{ $title }」 사업이 부서 검토 결과 부적격으로 판정되었습니다. 부적격 사유: { $reason }
