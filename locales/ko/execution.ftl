## 선정 사업 추진 (/project, 추진 소식)

cmd-project = 사업 추진 현황, 또는 결정 결과와 이유
project-usage = 사업 번호를 함께 입력해 주세요. 예: /project 12
execution-card-head = 🏗 사업 #{ $id } · { $area }
execution-card-department = 담당 부서: { $department }
execution-no-department = 아직 배정되지 않음
execution-card-status = 상태: { $status } · { $progress }%
execution-card-money = 승인 예산 { $approved } · 현재까지 집행 { $spent }
execution-card-note = 비고: { $note }
execution-no-updates = 아직 추진 소식이 없습니다.
execution-updates-head = 최근 소식:
execution-status-planned = 추진 예정
execution-status-in_progress = 추진 중
execution-status-delayed = 지연
execution-status-completed = 완료
execution-status-cancelled = 취소
execution-decided-in = { $round }번 투표 결과:
execution-not-decided = 아직 결정되지 않았습니다. 현재 상태: { $status }
execution-news-head = 🏗 #{ $id } { $title } 추진 소식
execution-changed-status = 상태 { $from } → { $to }
execution-changed-progress = 진행률 { $from }% → { $to }%
execution-changed-spent = 집행액 { $from } → { $to } (승인 { $approved })
execution-changed-department = 담당 부서: { $department }
execution-changed-nothing = 상태·진행률·집행액 변동 없음
execution-open-card = 📋 사업 카드
