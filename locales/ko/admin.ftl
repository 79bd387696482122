## 담당 공무원 메뉴

admin-only = 구청 담당 공무원만 사용할 수 있는 기능이에요.
admin-menu =
    담당 공무원 메뉴 — { $year }년 주민참여예산
    현재 단계: { $phase }
    검토 대기: { $waiting }건
admin-review-button = 제안 검토 ({ $waiting }건 대기)
admin-phases-button = 단계 변경
admin-back = ◀ 메뉴
admin-review-empty = 검토를 기다리는 제안이 없어요.
admin-review-waiting = 검토 대기 { $waiting }건
admin-eligible = ✅ 적격
admin-ineligible = ❌ 부적격
admin-next = 다음 제안 ▶
admin-review-already = #{ $id } 제안은 이미 검토되었어요({ $status }).
admin-ask-reviewed-cost = #{ $id } 제안을 적격으로 처리합니다. 검토 사업비를 입력해 주세요. 제안자 예상 금액은 { $estimated }, 이 지역 배정 예산은 { $pot }입니다. (/cancel 로 취소)
admin-ask-reason = #{ $id } 제안을 부적격으로 처리합니다. 부적격 사유를 입력해 주세요. 사유는 주민에게 공개됩니다({ $max }자 이내). (/cancel 로 취소)
admin-reason-invalid = 부적격 사유를 { $max }자 이내의 글로 입력해 주세요.
admin-reviewed = #{ $id } 제안을 「{ $status }」(으)로 처리했고, 제안자에게 알렸어요.
admin-phases =
    { $year }년 주민참여예산: 「{ $phase }」 단계 ({ $since }부터)
    바꿀 단계를 고르세요.
admin-phase-changed = 그사이 단계가 바뀌었어요. 현재 단계를 다시 보여 드릴게요.
admin-phase-confirm = 「{ $from }」 단계에서 「{ $to }」 단계로 지금 바꿀까요?
admin-phase-yes = 네, 바꿉니다
admin-phase-moved = 「{ $from }」 단계에서 「{ $to }」 단계로 바꾸었어요.
admin-codes-button = 인증 코드 발급
admin-unbind-button = 주민 인증 해제
admin-codes-dong = 어느 동의 인증 코드를 발급할까요? (대량 인쇄용은 `pb-bot admin codes issue`를 쓰세요.)
admin-codes-count = { $dong } 인증 코드를 몇 개 발급할까요?
admin-codes-issued = { $dong } 인증 코드 { $count }개입니다. { $until }까지 유효합니다. 인쇄해서 주민 한 분께 한 장씩 나눠 주세요. 코드는 확인값으로만 저장되므로 이 파일이 유일한 원본입니다.
admin-unbind-ask = 인증을 해제할 주민의 명부상 전화번호(예: 010-1234-5678)나 텔레그램 사용자 ID를 입력해 주세요. (/cancel 로 취소)
admin-unbind-done = 인증을 해제했어요. 해당 주민은 다시 인증할 수 있어요.
admin-unbind-none = 해당 번호나 ID로 인증된 주민이 없어요.
