# Trust Coach: the two commands are `make run` and `make test`.
.PHONY: run test setup train shell validate evaluate bench trial multi robustness clean

run:            ## set up, train if needed, start the coach
	bash scripts/run.sh

test:           ## every test: data validation, unit tests, conversation tests, NLU evaluation
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

train: setup
	bash scripts/train_if_needed.sh

shell: train    ## chat in the terminal (starts its own action server)
	bash scripts/shell.sh

validate: setup
	.venv/bin/rasa data validate --fail-on-warnings

evaluate: train ## NLU scores on the held-out test split -> reports/nlu_evaluation.md
	.venv/bin/python scripts/evaluate.py

bench: train    ## the coach beside Rasa's stock assistant: latency at 1/10/50 conversations, memory, start-up, training
	.venv/bin/python scripts/bench.py

trial: train    ## the hand trials: blind conversations through the real coach, scored by topic (prints the scores)
	.venv/bin/python scripts/hand_trial.py tests/hand_trials/trial6.yml --out reports/hand_trial6.txt
	.venv/bin/python scripts/hand_trial.py tests/hand_trials/trial7.yml --out reports/hand_trial7.txt
	.venv/bin/python scripts/hand_trial.py tests/hand_trials/trial8.yml --out reports/hand_trial8.txt

multi: train    ## 2 Rasa servers + Redis + PostgreSQL + nginx, one killed mid-run (root; installs redis-server, nginx, postgresql if missing)
	.venv/bin/python scripts/multi_instance_test.py

robustness: train  ## fuzzing (5,000 malformed requests), 50 x 20-turn load, action server restarted mid-conversation
	PYTHONWARNINGS=ignore .venv/bin/python -m pytest -q -s tests/robustness

clean:
	rm -rf models results .rasa
