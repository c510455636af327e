module chanspec

go 1.19
