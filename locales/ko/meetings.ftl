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
meeting-rsvp-going = 참석으로 알려 드렸어요. 일정이 바뀌면 알려 드릴게요.
meeting-rsvp-not-going = 불참으로 알려 드렸어요.
meeting-rsvp-full = 정원이 다 찼어요. 자리가 나면 다시 눌러 주세요.
meeting-rsvp-past = 이미 시작했거나 끝난 회의예요.
meeting-gone = 취소되었거나 없는 회의예요. /meetings 에서 다시 확인해 주세요.
meeting-follow-dong = 🔔 { $dong } 소식 받기
