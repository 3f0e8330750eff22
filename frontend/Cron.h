// Checks a `@schedule(cron = "...")` expression field by field, as cron, Argo's
// CronWorkflow and Slurm's scrontab read it: five fields (minute, hour, day of month,
// month, day of week), each a comma list of `*`, `N`, `N-M`, with an optional `/STEP`;
// months and weekdays also by name (JAN, MON); or a shorthand such as `@daily`.
#pragma once

#include <string>

namespace flyte {

/// Why `expr` is not a cron schedule, naming the field and the value (empty: it is one).
std::string cron_problem(const std::string& expr);

}  // namespace flyte
