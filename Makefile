# Shortcuts for the two commands in the README.
.PHONY: run test demo-data vendor-govuk
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
demo-data:  ## regenerate commonground/demo/data from its seed
	.venv/bin/python -m commonground.demo.generate
vendor-govuk:  ## rebuild the vendored GOV.UK Frontend (needs npm)
	bash scripts/vendor_govuk_frontend.sh
