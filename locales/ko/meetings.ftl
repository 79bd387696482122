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
