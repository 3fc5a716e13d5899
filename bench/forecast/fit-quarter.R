# Fits R's forecast package (snaive, ets, auto.arima, stlf; weekly frequency) and Prophet (weekly
# season, yearly when the history spans two years, the same US public holidays finops is given) to
# each series' daily totals and writes the forecasts with 80% and 95% intervals.
# Usage: Rscript fit-quarter.R history.csv holidays.csv horizon out.csv
suppressMessages(library(forecast))
suppressMessages(library(prophet))
args <- commandArgs(trailingOnly = TRUE)
hist <- read.csv(args[1], stringsAsFactors = FALSE)
holidays <- read.csv(args[2], stringsAsFactors = FALSE)
holidays$ds <- as.Date(holidays$ds)
h <- as.integer(args[3])
out <- file(args[4], "w")
writeLines("id,method,step,mean,lower80,upper80,lower95,upper95", out)
emit <- function(id, method, mean, lo80, hi80, lo95, hi95) {
  for (i in seq_len(h)) {
    writeLines(sprintf("%s,%s,%d,%.6f,%.6f,%.6f,%.6f,%.6f", id, method, i, mean[i], lo80[i], hi80[i], lo95[i], hi95[i]), out)
  }
}
for (id in unique(hist$id)) {
  rows <- hist[hist$id == id, ]
  y <- ts(rows$value, frequency = 7)
  fits <- list(
    snaive = function() snaive(y, h = h, level = c(80, 95)),
    ets = function() forecast(ets(y), h = h, level = c(80, 95)),
    auto.arima = function() forecast(auto.arima(y), h = h, level = c(80, 95)),
    stlf = function() stlf(y, h = h, level = c(80, 95))
  )
  for (method in names(fits)) {
    fc <- tryCatch(fits[[method]](), error = function(e) NULL)
    if (!is.null(fc)) emit(id, method, fc$mean, fc$lower[, 1], fc$upper[, 1], fc$lower[, 2], fc$upper[, 2])
  }
  fc <- tryCatch({
    df <- data.frame(ds = as.Date(rows$day), y = rows$value)
    m <- prophet(df, holidays = holidays, interval.width = 0.8, daily.seasonality = FALSE,
                 weekly.seasonality = TRUE, yearly.seasonality = nrow(df) >= 730)
    future <- make_future_dataframe(m, periods = h)
    p80 <- tail(predict(m, future), h)
    m$interval.width <- 0.95
    p95 <- tail(predict(m, future), h)
    list(mean = p80$yhat, lo80 = p80$yhat_lower, hi80 = p80$yhat_upper, lo95 = p95$yhat_lower, hi95 = p95$yhat_upper)
  }, error = function(e) NULL)
  if (!is.null(fc)) emit(id, "prophet", fc$mean, fc$lo80, fc$hi80, fc$lo95, fc$hi95)
}
close(out)
