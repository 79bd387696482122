## /subscribe 와 사업 소식 받기

cmd-subscribe = 받을 소식 고르기
subscribe-menu = 어떤 소식을 받으시겠어요? 누르면 구독하고, ✅ 표시된 항목을 다시 누르면 해지돼요. 동을 구독하면 동 회의, 새로 적격 판정된 제안, 결과 소식을 받고, 구 전체 공지는 구 전체에 관한 안내예요.
subscribe-projects-none = 구독 중인 사업: 없음. 제안을 열고(/proposals) 🔔 소식 받기를 누르면 그 사업 소식을 받을 수 있어요.
subscribe-projects = 구독 중인 사업: { $list }. 해지하려면 /proposal 과 번호로 사업을 열어 주세요.
follow-on = 이제 { $name } 소식을 보내 드릴게요.
follow-off = 이제 { $name } 소식은 보내지 않을게요.
follow-project = 🔔 소식 받기
unfollow-project = 🔕 소식 그만 받기
news-eligible = { $area } 새 소식: #{ $id } 「{ $title }」 제안이 부서 검토를 통과했어요(검토 사업비 { $cost }). 이제 주민 투표 대상이 됩니다.
news-open = 자세히 보기

## 공지와 발송 현황 (담당 공무원)

admin-announce-button = 📣 공지 보내기
admin-delivery-button = 📊 발송 현황
announce-choose-area = 어디에 공지를 보낼까요? '구 전체'를 고르면 구 전체 공지나 어느 동이든 구독 중인 모든 분께 보내요.
announce-district = 구 전체
announce-ask-korean = { $area } 공지 내용을 한국어로 입력해 주세요(최대 { $max }자). 다음 단계에서 영어 번역을 덧붙일 수 있어요. (/cancel 로 취소)
announce-ask-english = 영어 번역을 입력해 주세요(최대 { $max }자). (/cancel 로 취소)
announce-need-text = 공지 내용을 글로 입력해 주세요.
announce-too-long = 입력하신 내용이 { $length }자예요. 공지는 { $max }자까지 보낼 수 있으니 줄여 주세요.
announce-preview = 미리보기 — { $area } 공지, 현재 구독자 { $count }명에게 발송돼요.
announce-no-english = (영어 번역 없음: 영어 사용자에게도 한국어 원문이 발송돼요.)
announce-send = 📣 { $count }명에게 보내기
announce-add-english = 영어 번역 추가
announce-cancel = 보내지 않기
announce-use-buttons = 공지가 준비됐어요. 미리보기 아래 버튼으로 보내거나 취소해 주세요. (/cancel 로 취소)
announce-gone = 이미 발송했거나 취소한 공지예요.
announce-queued = #{ $id } 공지를 { $count }명에게 보내고 있어요. 텔레그램은 초당 30건 정도만 보낼 수 있어서 대상이 많으면 몇 분 걸려요. 진행 상황은 📊 발송 현황에서 볼 수 있어요.
announce-cancelled = 공지를 보내지 않았어요.
announce-message =
    📣 { $area } 공지

    { $text }
delivery-header = 최근 발송 현황 ({ $at } 기준)
delivery-none = 아직 보낸 소식이 없어요.
delivery-line =
    #{ $id } { $kind } · { $subject } · { $at }
    대상 { $recipients }명: 발송 { $sent } · 대기 { $queued } · 실패 { $failed } · 차단 { $blocked }
delivery-refresh = 🔄 새로고침
broadcast-kind-announcement = 공지
broadcast-kind-proposal-eligible = 적격 제안 소식
broadcast-kind-meeting-scheduled = 회의 일정
broadcast-kind-meeting-moved = 회의 일정 변경
broadcast-kind-round-open = 투표 시작
broadcast-kind-round-closed = 투표 마감
broadcast-kind-meeting-cancelled = 회의 취소
committee-appointed = 🏛 { $district } { $year }년 주민참여예산위원으로 위촉되셨어요. 함께해 주셔서 고맙습니다! 위원회 회의와 위원회 투표 안내도 여기로 보내 드릴게요.
broadcast-kind-results = 결과 발표
broadcast-kind-results-chart = 결과 그래프
broadcast-kind-execution-update = 사업 추진 소식
broadcast-kind-execution-digest = 분기별 사업 추진 현황
broadcast-kind-execution-photo = 사업 현장 사진
