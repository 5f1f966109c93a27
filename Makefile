# Trust Coach: the two commands are `make run` and `make test`.
.PHONY: run test setup train shell validate evaluate bench clean

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

bench: train    ## latency, training and start-up figures
	.venv/bin/python scripts/bench.py

clean:
	rm -rf models results .rasa
