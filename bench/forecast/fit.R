# Fits R's forecast package to each series' daily totals (weekly frequency) and writes the 30-day
# forecasts with 80% intervals. Usage: Rscript fit.R history.csv horizon out.csv
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
hist <- read.csv(args[1])
h <- as.integer(args[2])
out <- file(args[3], "w")
writeLines("id,method,step,mean,lower,upper", out)
emit <- function(id, method, fc) {
  for (i in seq_len(h)) {
    writeLines(sprintf("%s,%s,%d,%.6f,%.6f,%.6f", id, method, i, fc$mean[i], fc$lower[i, 1], fc$upper[i, 1]), out)
  }
}
for (id in unique(hist$id)) {
  y <- ts(hist$value[hist$id == id], frequency = 7)
  fits <- list(
    snaive = function() snaive(y, h = h, level = 80),
    ets = function() forecast(ets(y), h = h, level = 80),
    auto.arima = function() forecast(auto.arima(y), h = h, level = 80),
    stlf = function() stlf(y, h = h, level = 80)
  )
  for (method in names(fits)) {
    fc <- tryCatch(fits[[method]](), error = function(e) NULL)
    if (!is.null(fc)) emit(id, method, fc)
  }
}
close(out)
