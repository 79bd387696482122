## /verify

cmd-verify = 주민 인증 (투표하려면 필요해요)
cmd-mydata = 내 정보 확인
cmd-forgetme = 내 개인정보 삭제

verify-intro = 우선순위 투표는 본인 확인된 주민만 할 수 있어요. 인증 방법은 두 가지예요.
verify-intro-phone = 📱 아래 「내 전화번호 공유」 버튼을 누르세요. 구 주민 명부에 있는 번호이면 바로 인증돼요. 전화번호는 저장하지 않고, 번호에서 만든 확인값만 보관해요.
verify-intro-code = 🔑 또는 동 주민센터나 동 지역회의에서 받은 8자리 인증 코드를 입력하세요. (예: ABCD-EFGH)
verify-share-button = 📱 내 전화번호 공유
verify-unavailable = 아직 이 구에서는 주민 인증을 받지 않아요.
verify-phone-off = 이 구는 전화번호로 인증하지 않아요. 동 주민센터에서 받은 인증 코드로 인증해 주세요.
verify-codes-off = 이 구는 인증 코드를 쓰지 않아요. /verify 에서 전화번호를 공유해 인증해 주세요.
verify-contact-not-yours = 본인의 전화번호가 아니에요. /verify 의 「내 전화번호 공유」 버튼을 눌러 주세요. 전달받거나 직접 입력한 연락처로는 인증할 수 없어요.
verify-phone-foreign = 주민 명부에는 국내 전화번호만 있어요. 동 주민센터에 인증 코드를 요청해 주세요.
verify-no-match = 주민 명부에서 번호를 찾지 못했어요. 우리 구에 사신다면 동 주민센터에서 인증 코드를 받아 /verify 다음에 입력해 주세요.
verify-too-young = 주민참여예산은 { $min }세 이상 주민이 참여할 수 있어요. 명부상 올해 아직 { $min }세가 되지 않으셨어요.
verify-done = { $dong } 주민으로 인증되었어요. 앞으로 우리 동 소식을 알려 드릴게요.
verify-already = 이미 { $dong } 주민으로 인증되어 있어요.
verify-entry-taken = 이 주민 정보는 이미 다른 텔레그램 계정으로 인증되었어요. 본인이 인증한 것이 아니라면 동 주민센터에 문의해 주세요.
verify-code-format = 인증 코드는 영문과 숫자 8자리예요. (예: ABCD-EFGH) 확인하고 다시 입력해 주세요.
verify-code-wrong = 올바르지 않은 코드예요. { $left ->
        [one] 한 번 더 틀리면 한동안 코드 인증이 잠겨요.
       *[other] 앞으로 { $left }번 더 입력할 수 있어요.
    }
verify-code-expired = 유효 기간이 지난 코드예요. 동 주민센터에 새 코드를 요청해 주세요.
verify-code-used = 이미 사용된 코드예요. 동 주민센터에 새 코드를 요청해 주세요.
verify-locked = 잘못된 코드를 여러 번 입력해서 코드 인증이 잠겼어요. { $until }부터 다시 입력할 수 있어요.

## /mydata 와 /forgetme

mydata-header = 이 봇이 보관하는 내 정보는 다음과 같아요.
mydata-language-chosen = 언어: { $language } (직접 선택)
mydata-language-app = 언어: 텔레그램 앱 설정 ({ $language })
mydata-verified = 주민 인증: { $dong } 주민, { $method }, { $at }부터
mydata-method-phone = 전화번호로 인증 (번호에서 만든 확인값만 보관)
mydata-method-code = 인증 코드로 인증
mydata-not-verified = 주민 인증: 안 됨
mydata-no-subscriptions = 알림 받는 소식: 없음
mydata-subscriptions = 알림 받는 소식: { $list }
mydata-district-news = 구 전체 공지
mydata-no-proposals = 내 제안: 없음
mydata-proposals = 내 제안: { $list }
mydata-votes-none = 투표: 참여한 투표가 없어요.
mydata-votes = 투표 (내 이름이 아니라 이 서버만 만들 수 있는 키로 보관돼요): { $list }
mydata-paper = 종이 투표
mydata-dialogue = 작성 중인 내용(제안서 초안 등)이 저장되어 있어요.
mydata-meeting-answers = 회의 참석 응답: { $list }
mydata-attended = 출석이 확인된 회의: { $list }
mydata-courses = 예산학교: { $list }
mydata-facilitator = 역할: 퍼실리테이터 (회의 출석 확인을 열 수 있어요)
mydata-committee = 주민참여예산위원: { $list }년
course-basic = 기본 과정
course-instructor = 주민참여예산 강사 과정
course-committee = 위원 과정
mydata-footer = /forgetme 로 이 정보를 모두 지울 수 있어요. 제출한 제안은 이름 없이 공개된 채로 남아요.
forget-ask = 언어 설정, 주민 인증, 알림, 작성 중인 내용 등 이 봇이 보관하는 내 정보를 모두 지울까요? 제출한 제안은 공개된 채로 남지만 더 이상 나와 연결되지 않아요. 되돌릴 수 없어요.
forget-yes = 네, 지워 주세요
forget-no = 아니요
forget-done = 내 정보를 모두 지웠어요. 다시 말을 걸면 처음부터 시작해요.
forget-kept = 아무것도 지우지 않았어요.

## /unsubscribe

cmd-unsubscribe = 알림 끄기
unsubscribe-none = 알림 받는 소식이 없어요.
unsubscribe-choose = 어떤 소식의 알림을 끌까요?
unsubscribe-done = 이제 { $name } 소식은 보내 드리지 않아요.
