#!/usr/bin/env Rscript
# make_reference.R -- reference maximum-likelihood fits from R for mlekit's test suite.
#
#   Rscript tests/reference/make_reference.R      (from the repository root, or anywhere)
#
# Writes tests/reference/data/<dataset>.csv and tests/reference/reference.json.
# Deterministic: no random numbers are drawn anywhere.  Needs R >= 4.2 with fitdistrplus,
# MASS, survival, bbmle, actuar and numDeriv (Debian: apt-get install r-base-core
# r-cran-fitdistrplus r-cran-mass r-cran-survival r-cran-bbmle r-cran-actuar; numDeriv comes
# with bbmle).  See README.md in this folder for the conventions of the output.
#
# For every case:
#   1. the packages' own fit (fitdistrplus::fitdist / fitdistcens, MASS::fitdistr, glm,
#      survival::survreg) is recorded as it comes out ("package_fit");
#   2. that fit is polished: optim(BFGS, reltol 1e-15) on an unconstrained scale, then Newton
#      steps with numDeriv's Richardson-extrapolated gradient and Hessian, until the Newton
#      step is below 1e-12 (relative); the final gradient and Newton step are recorded;
#   3. standard errors are sqrt(diag(solve(-H))) with H the numerical Hessian of the
#      log-likelihood in the natural parameters at the polished optimum (observed information);
#   4. 95% profile-likelihood intervals: for each free parameter, the two roots of
#      profile_ll(v) = loglik - qchisq(0.95, 1)/2, found by uniroot (tol 1e-13 on the
#      unconstrained scale) with the other free parameters re-maximised (BFGS + Newton) at
#      every point; cross-checked with bbmle::confint(mle2 fit, method = "uniroot").
#
# The log-likelihood is written once, from R's own d/p functions (stats and actuar):
#   sum w*log f(exact) + sum w*log F(left-censored) + sum w*log S(right-censored)
#   + sum w*log(F(hi) - F(lo)) - W*log(F(b) - F(a))   [truncation to (a, b)]
# with the fitdistcens convention for censored data: columns left, right; left = NA is
# left-censored at right, right = NA is right-censored at left, left == right is exact.

suppressPackageStartupMessages({
  library(fitdistrplus)
  library(actuar)
  library(MASS)
  library(survival)
  library(bbmle)
  library(numDeriv)
})

options(warn = 1)

# ----------------------------------------------------------------------------- locations
script_dir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f) == 1) dirname(normalizePath(f)) else getwd()
})
data_dir <- file.path(script_dir, "data")
dir.create(data_dir, showWarnings = FALSE)

# ----------------------------------------------------------------------------- output helpers
fmt_num <- function(v) {
  # shortest of %.15g/%.16g/%.17g that reads back to the same double
  if (is.na(v)) return("NA")
  if (!is.finite(v)) return(if (v > 0) "Inf" else "-Inf")
  for (d in 15:17) {
    s <- sprintf(paste0("%.", d, "g"), v)
    if (as.numeric(s) == v) return(s)
  }
  s
}

write_csv <- function(df, name) {
  path <- file.path(data_dir, paste0(name, ".csv"))
  lines <- c(paste(names(df), collapse = ","),
             apply(df, 1, function(r) paste(vapply(r, fmt_num, ""), collapse = ",")))
  writeLines(lines, path)
  # read back: what the tests will see is what the fits below used
  back <- read.csv(path)
  stopifnot(identical(dim(back), dim(df)),
            isTRUE(all(mapply(function(a, b) identical(as.numeric(a), as.numeric(b)), back, df))))
  file.path("data", paste0(name, ".csv"))
}

json_str <- function(s) {
  s <- gsub("\\\\", "\\\\\\\\", s)
  s <- gsub("\"", "\\\\\"", s)
  s <- gsub("\n", "\\\\n", s)
  paste0("\"", s, "\"")
}

json_scalar <- function(v) {
  if (is.logical(v)) return(if (is.na(v)) "null" else if (v) "true" else "false")
  if (is.character(v)) return(json_str(v))
  if (is.na(v) || !is.finite(v)) return("null")
  fmt_num(v)
}

# named list -> object; unnamed list -> array; atomic length 1 -> scalar; longer -> array
to_json <- function(x, indent = 0) {
  pad <- strrep("  ", indent)
  pad1 <- strrep("  ", indent + 1)
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      if (length(x) == 0) return("{}")
      items <- vapply(seq_along(x), function(i)
        paste0(pad1, json_str(names(x)[i]), ": ", to_json(x[[i]], indent + 1)), "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", pad, "}"))
    }
    if (length(x) == 0) return("[]")
    inner <- vapply(x, to_json, "", indent = indent + 1)
    if (all(!grepl("\n", inner)) && sum(nchar(inner)) < 100)
      return(paste0("[", paste(inner, collapse = ", "), "]"))
    return(paste0("[\n", paste0(pad1, inner, collapse = ",\n"), "\n", pad, "]"))
  }
  if (length(x) == 1 && !inherits(x, "AsIs")) return(json_scalar(x))
  paste0("[", paste(vapply(x, json_scalar, ""), collapse = ", "), "]")
}

named <- function(values, nms) {
  out <- as.list(as.numeric(values))
  names(out) <- nms
  out
}
empty_obj <- function() setNames(list(), character(0))

# ----------------------------------------------------------------------------- families
# Parameter names and order are mlekit's (src/mlekit/_families/*.py); ld = log density,
# lp(q, p, lower) = log F(q) (lower = TRUE) or log S(q) (lower = FALSE).
FAM <- list(
  normal = list(par = c("mu", "sigma"), dom = c("real", "pos"),
    r = "dnorm(x, mean = mu, sd = sigma)",
    ld = function(x, p, t) dnorm(x, p[1], p[2], log = TRUE),
    lp = function(q, p, lower) pnorm(q, p[1], p[2], lower.tail = lower, log.p = TRUE)),
  lognormal = list(par = c("mu", "sigma"), dom = c("real", "pos"),
    r = "dlnorm(x, meanlog = mu, sdlog = sigma)",
    ld = function(x, p, t) dlnorm(x, p[1], p[2], log = TRUE),
    lp = function(q, p, lower) plnorm(q, p[1], p[2], lower.tail = lower, log.p = TRUE)),
  exponential = list(par = "rate", dom = "pos",
    r = "dexp(x, rate = rate)",
    ld = function(x, p, t) dexp(x, p[1], log = TRUE),
    lp = function(q, p, lower) pexp(q, p[1], lower.tail = lower, log.p = TRUE)),
  gamma = list(par = c("shape", "scale"), dom = c("pos", "pos"),
    r = "dgamma(x, shape = shape, scale = scale)  (R's rate = 1/scale)",
    ld = function(x, p, t) dgamma(x, shape = p[1], scale = p[2], log = TRUE),
    lp = function(q, p, lower) pgamma(q, shape = p[1], scale = p[2], lower.tail = lower, log.p = TRUE)),
  weibull = list(par = c("shape", "scale"), dom = c("pos", "pos"),
    r = "dweibull(x, shape = shape, scale = scale)",
    ld = function(x, p, t) dweibull(x, p[1], p[2], log = TRUE),
    lp = function(q, p, lower) pweibull(q, p[1], p[2], lower.tail = lower, log.p = TRUE)),
  beta = list(par = c("a", "b"), dom = c("pos", "pos"),
    r = "dbeta(x, shape1 = a, shape2 = b)",
    ld = function(x, p, t) dbeta(x, p[1], p[2], log = TRUE),
    lp = function(q, p, lower) pbeta(q, p[1], p[2], lower.tail = lower, log.p = TRUE)),
  student_t = list(par = c("mu", "sigma", "df"), dom = c("real", "pos", "pos"),
    r = "dt((x - mu)/sigma, df = df)/sigma  (MASS::fitdistr 't': m, s, df)",
    ld = function(x, p, t) dt((x - p[1]) / p[2], p[3], log = TRUE) - log(p[2]),
    lp = function(q, p, lower) pt((q - p[1]) / p[2], p[3], lower.tail = lower, log.p = TRUE)),
  cauchy = list(par = c("loc", "scale"), dom = c("real", "pos"),
    r = "dcauchy(x, location = loc, scale = scale)",
    ld = function(x, p, t) dcauchy(x, p[1], p[2], log = TRUE),
    lp = function(q, p, lower) pcauchy(q, p[1], p[2], lower.tail = lower, log.p = TRUE)),
  logistic = list(par = c("loc", "scale"), dom = c("real", "pos"),
    r = "dlogis(x, location = loc, scale = scale)",
    ld = function(x, p, t) dlogis(x, p[1], p[2], log = TRUE),
    lp = function(q, p, lower) plogis(q, p[1], p[2], lower.tail = lower, log.p = TRUE)),
  loglogistic = list(par = c("shape", "scale"), dom = c("pos", "pos"),
    r = "actuar::dllogis(x, shape = shape, scale = scale)",
    ld = function(x, p, t) actuar::dllogis(x, shape = p[1], scale = p[2], log = TRUE),
    lp = function(q, p, lower) actuar::pllogis(q, shape = p[1], scale = p[2], lower.tail = lower, log.p = TRUE)),
  gumbel = list(par = c("loc", "scale"), dom = c("real", "pos"),
    r = "actuar::dgumbel(x, alpha = loc, scale = scale)  (maximum Gumbel)",
    ld = function(x, p, t) actuar::dgumbel(x, alpha = p[1], scale = p[2], log = TRUE),
    lp = function(q, p, lower) actuar::pgumbel(q, alpha = p[1], scale = p[2], lower.tail = lower, log.p = TRUE)),
  pareto = list(par = c("shape", "scale"), dom = c("pos", "pos"),
    r = "actuar::dpareto1(x, shape = shape, min = scale)  (Pareto I)",
    ld = function(x, p, t) actuar::dpareto1(x, shape = p[1], min = p[2], log = TRUE),
    lp = function(q, p, lower) actuar::ppareto1(q, shape = p[1], min = p[2], lower.tail = lower, log.p = TRUE)),
  lomax = list(par = c("shape", "scale"), dom = c("pos", "pos"),
    r = "actuar::dpareto(x, shape = shape, scale = scale)  (actuar's Pareto is Lomax / Pareto II)",
    ld = function(x, p, t) actuar::dpareto(x, shape = p[1], scale = p[2], log = TRUE),
    lp = function(q, p, lower) actuar::ppareto(q, shape = p[1], scale = p[2], lower.tail = lower, log.p = TRUE)),
  inverse_gaussian = list(par = c("mu", "shape"), dom = c("pos", "pos"),
    r = "actuar::dinvgauss(x, mean = mu, shape = shape)",
    ld = function(x, p, t) actuar::dinvgauss(x, mean = p[1], shape = p[2], log = TRUE),
    lp = function(q, p, lower) actuar::pinvgauss(q, mean = p[1], shape = p[2], lower.tail = lower, log.p = TRUE)),
  poisson = list(par = "rate", dom = "pos",
    r = "dpois(x, lambda = rate)",
    ld = function(x, p, t) dpois(x, p[1], log = TRUE)),
  negative_binomial = list(par = c("mean", "size"), dom = c("pos", "pos"),
    r = "dnbinom(x, size = size, mu = mean)",
    ld = function(x, p, t) dnbinom(x, size = p[2], mu = p[1], log = TRUE)),
  geometric = list(par = "p", dom = "unit",
    r = "dgeom(x, prob = p)  (failures before the first success)",
    ld = function(x, p, t) dgeom(x, p[1], log = TRUE)),
  binomial = list(par = "p", dom = "unit",
    r = "dbinom(x, size = trials, prob = p)",
    ld = function(x, p, t) dbinom(x, t, p[1], log = TRUE))
)

# ----------------------------------------------------------------------------- data
# A dataset becomes blocks: exact, left-censored, right-censored, interval; weights w.
make_data <- function(left, right, w = NULL, trials = NULL, trunc = NULL) {
  n <- length(left)
  if (is.null(w)) w <- rep(1, n)
  stopifnot(length(right) == n, length(w) == n, !any(is.na(left) & is.na(right)))
  ex <- !is.na(left) & !is.na(right) & left == right
  lc <- is.na(left)
  rc <- is.na(right)
  ic <- !is.na(left) & !is.na(right) & left < right
  stopifnot(all(ex | lc | rc | ic))
  list(ex = list(x = left[ex], w = w[ex], t = if (is.null(trials)) NULL else trials[ex]),
       lc = list(x = right[lc], w = w[lc]),
       rc = list(x = left[rc], w = w[rc]),
       ic = list(lo = left[ic], hi = right[ic], w = w[ic]),
       trunc = trunc, n = sum(w),
       counts = c(exact = sum(w[ex]), left = sum(w[lc]), right = sum(w[rc]), interval = sum(w[ic])))
}

# log(F(hi) - F(lo)) without cancellation: difference of cdfs in the lower half, of
# survival functions in the upper half
log_mass <- function(fam, lo, hi, p) {
  la <- fam$lp(lo, p, TRUE)
  lb <- fam$lp(hi, p, TRUE)
  sa <- fam$lp(lo, p, FALSE)
  sb <- fam$lp(hi, p, FALSE)
  lower <- la < log(0.5)
  ifelse(lower, lb + log1p(-exp(la - lb)), sa + log1p(-exp(sb - sa)))
}

loglik <- function(fam, p, D) {
  ll <- 0
  if (length(D$ex$x)) ll <- ll + sum(D$ex$w * fam$ld(D$ex$x, p, D$ex$t))
  if (length(D$lc$x)) ll <- ll + sum(D$lc$w * fam$lp(D$lc$x, p, TRUE))
  if (length(D$rc$x)) ll <- ll + sum(D$rc$w * fam$lp(D$rc$x, p, FALSE))
  if (length(D$ic$lo)) ll <- ll + sum(D$ic$w * log_mass(fam, D$ic$lo, D$ic$hi, p))
  if (!is.null(D$trunc)) ll <- ll - D$n * log_mass(fam, D$trunc[1], D$trunc[2], p)
  ll
}

# ----------------------------------------------------------------------------- polishing
to_u <- function(v, dom) {
  dom <- rep_len(dom, length(v))
  ifelse(dom == "pos", log(v), ifelse(dom == "unit", qlogis(v), v))
}
from_u <- function(u, dom) {
  dom <- rep_len(dom, length(u))
  ifelse(dom == "pos", exp(u), ifelse(dom == "unit", plogis(u), u))
}

# A problem: family, data, fixed values; ll(free natural values) and ll_u(unconstrained).
problem <- function(fam, D, fixed) {
  free <- setdiff(fam$par, names(fixed))
  dom <- fam$dom[match(free, fam$par)]
  full <- function(v) {
    p <- setNames(numeric(length(fam$par)), fam$par)
    for (k in names(fixed)) p[k] <- fixed[[k]]
    p[free] <- v
    p
  }
  # parameter values far out (exp overflow while searching) give NaN densities: -Inf here
  ll <- function(v) {
    r <- suppressWarnings(loglik(fam, full(v), D))
    if (is.nan(r)) -Inf else r
  }
  ll_u <- function(u) ll(from_u(u, dom))
  list(fam = fam, D = D, fixed = fixed, free = free, dom = dom, full = full, ll = ll, ll_u = ll_u)
}

# Maximise f(u) from u0: BFGS, then Newton steps with Richardson derivatives and step halving.
maximise <- function(f, u0, max_newton = 40) {
  negf <- function(u) { v <- f(u); if (is.finite(v)) -v else 1e300 }
  u <- u0
  if (length(u) > 1) {
    o <- optim(u, negf, method = "Nelder-Mead", control = list(reltol = 1e-12, maxit = 5000))
    if (o$value <= negf(u)) u <- o$par
  }
  o <- optim(u, negf, method = "BFGS", control = list(reltol = 1e-15, maxit = 10000))
  if (o$value <= negf(u)) u <- o$par
  fu <- f(u)
  for (it in seq_len(max_newton)) {
    g <- numDeriv::grad(f, u)
    H <- numDeriv::hessian(f, u)
    step <- tryCatch(-solve(H, g), error = function(e) NULL)
    if (is.null(step) || any(!is.finite(step))) break
    if (any(eigen(H, symmetric = TRUE, only.values = TRUE)$values >= 0)) step <- g * 1e-3
    t <- 1
    improved <- FALSE
    while (t > 1e-6) {
      un <- u + t * step
      fn <- f(un)
      if (is.finite(fn) && fn >= fu) { improved <- TRUE; break }
      t <- t / 2
    }
    if (!improved) break
    small <- max(abs(t * step)) < 1e-13 * max(1, max(abs(u)))
    u <- un
    fu <- fn
    if (small) break
  }
  list(u = u, value = fu)
}

polish <- function(P, start) {
  u0 <- to_u(unlist(start[P$free]), P$dom)
  m <- maximise(P$ll_u, u0)
  v <- from_u(m$u, P$dom)
  names(v) <- P$free
  g <- numDeriv::grad(P$ll, v)
  # Richardson with a 1% first step: numDeriv's default (1e-4) amplifies the rounding noise of
  # the summed log-densities (on nhtemp/Student-t its SEs were 3e-4 off a 50-digit mpmath
  # Hessian; with d = 0.01 they agree to 1e-7). A second step size estimates the error left.
  H <- numDeriv::hessian(P$ll, v, method.args = list(d = 0.01, r = 4))
  H2 <- numDeriv::hessian(P$ll, v, method.args = list(d = 0.005, r = 4))
  cov <- solve(-H)
  se <- sqrt(diag(cov))
  se_check <- max(abs(sqrt(diag(solve(-H2))) / se - 1))
  step <- as.numeric(cov %*% g)        # Newton step still left, natural scale
  list(est = v, ll = P$ll(v), grad = g, hess = H, cov = cov, se = se, se_check = se_check,
       step = step, u = m$u)
}

# ----------------------------------------------------------------------------- profiles
profile_ci <- function(P, fit, level = 0.95) {
  cutoff <- fit$ll - qchisq(level, 1) / 2
  k <- length(P$free)
  # SE on the unconstrained scale (delta method), to size the search steps
  J <- ifelse(P$dom == "pos", fit$est, ifelse(P$dom == "unit", fit$est * (1 - fit$est), 1))
  se_u <- fit$se / J
  out <- list()
  nuis <- list()
  evals <- 0
  for (j in seq_len(k)) {
    if (k > 1) nuis[[P$free[j]]] <- list(NULL, NULL)
    warm <- fit$u[-j]
    prof_u <- function(uj) {
      evals <<- evals + 1
      if (k == 1) return(P$ll_u(uj))
      f <- function(un) { u <- numeric(k); u[j] <- uj; u[-j] <- un; P$ll_u(u) }
      m <- maximise(f, warm, max_newton = 15)
      if (is.finite(m$value)) warm <<- m$u
      m$value
    }
    ends <- c(NA_real_, NA_real_)
    for (side in c(-1, 1)) {
      warm <- fit$u[-j]
      a <- fit$u[j]
      c_ <- 1.5
      hit <- FALSE
      val <- NA_real_
      b <- a
      while (c_ * se_u[j] < 60 && c_ < 1e6) {
        b <- fit$u[j] + side * c_ * se_u[j]
        val <- prof_u(b)
        if (!is.finite(val) || val < cutoff) { hit <- is.finite(val); break }
        a <- b
        c_ <- c_ * 1.6
      }
      if (!hit) {
        # a non-finite value past a: bisect back to a finite one below the cutoff, if any
        if (b != a && !is.finite(val)) {
          lo_ <- a; hi_ <- b
          for (i in 1:80) {
            mid <- (lo_ + hi_) / 2
            vm <- prof_u(mid)
            if (is.finite(vm) && vm < cutoff) { b <- mid; hit <- TRUE; break }
            if (is.finite(vm)) lo_ <- mid else hi_ <- mid
          }
        }
      }
      if (hit) {
        warm <- fit$u[-j]
        r <- uniroot(function(uj) prof_u(uj) - cutoff, sort(c(a, b)), tol = 1e-13 * max(1, abs(fit$u[j])),
                     maxiter = 500)
        ends[(side + 3) / 2] <- from_u(r$root, P$dom[j])
        if (k > 1) {
          prof_u(r$root)   # leaves the maximising nuisance values in warm
          nuis[[P$free[j]]][[(side + 3) / 2]] <- named(from_u(warm, P$dom[-j]), P$free[-j])
        }
      }
    }
    out[[P$free[j]]] <- ends
  }
  list(ci = out, cutoff = cutoff, evals = evals, nuisance = nuis)
}

# bbmle cross-check: mle2 on the unconstrained scale, confint(method = "uniroot"), mapped back
bbmle_ci <- function(P, fit, level = 0.95) {
  k <- length(P$free)
  pn <- paste0("u", seq_len(k))
  nll <- function(p) { v <- -P$ll_u(unlist(p)); if (is.finite(v)) v else 1e300 }
  parnames(nll) <- pn
  start <- setNames(as.list(fit$u), pn)
  res <- tryCatch({
    # do.call puts the function object itself into the call that confint re-evaluates
    m <- do.call(mle2, list(minuslogl = nll, start = start, vecpar = TRUE, method = "BFGS",
                            control = list(reltol = 1e-14, maxit = 10000)))
    ci <- suppressWarnings(confint(m, method = "uniroot", level = level))
    ci <- matrix(ci, nrow = k)
    out <- list()
    for (j in seq_len(k)) out[[P$free[j]]] <- from_u(ci[j, ], P$dom[j])
    list(ci = out, loglik = -as.numeric(m@min))
  }, error = function(e) list(error = conditionMessage(e)))
  res
}

# ----------------------------------------------------------------------------- datasets
DATASETS <- list()
add_dataset <- function(name, df, D, source, licence, description, kind) {
  file <- write_csv(df, name)
  DATASETS[[name]] <<- list(
    meta = list(file = file, kind = kind, columns = I(names(df)), n_rows = nrow(df),
                n_obs = D$n, counts = named(D$counts, names(D$counts)),
                source = source, licence = licence, description = description),
    D = D)
}
exact_ds <- function(name, x, source, licence, description) {
  add_dataset(name, data.frame(x = x), make_data(x, x), source, licence, description, "exact")
}
cens_ds <- function(name, left, right, source, licence, description, w = NULL) {
  df <- data.frame(left = left, right = right)
  if (!is.null(w)) df$weight <- w
  add_dataset(name, df, make_data(left, right, w), source, licence, description,
              if (is.null(w)) "interval" else "interval-weighted")
}

LIC_FDP <- "GPL (>= 2), as part of R package fitdistrplus"
LIC_R <- "Part of R (package datasets), GPL-2 | GPL-3"
LIC_MASS <- "GPL-2 | GPL-3, as part of R package MASS"
LIC_SURV <- "LGPL (>= 2), as part of R package survival"
LIC_ACT <- "GPL (>= 2), as part of R package actuar"

data("groundbeef", "endosulfan", "danishuni", "salinity", "smokedfish", "fluazinam",
     package = "fitdistrplus", envir = environment())
data("gdental", package = "actuar", envir = environment())

exact_ds("groundbeef", groundbeef$serving,
         "fitdistrplus::groundbeef (serving sizes of ground beef patties, g; Delignette-Muller & Cornu 2008, Int. J. Food Microbiol. 128)",
         LIC_FDP, "254 exact positive values")
exact_ds("endosulfan", endosulfan$ATV,
         "fitdistrplus::endosulfan$ATV (acute toxicity values of endosulfan for 104 species, ug/L; Hose & Van den Brink 2004, Arch. Environ. Contam. Toxicol. 47)",
         LIC_FDP, "104 exact positive values, heavy right tail")
exact_ds("danishuni", danishuni$Loss,
         "fitdistrplus::danishuni$Loss (Danish fire insurance losses 1980-1990 above 1 million DKK, in millions; Embrechts, Kluppelberg & Mikosch 1997)",
         LIC_FDP, "2167 exact values >= 1 (collected only above the 1 million threshold)")
exact_ds("danishuni_excess", danishuni$Loss - 1,
         "fitdistrplus::danishuni$Loss minus 1 (the excess over the 1 million DKK reporting threshold; computed in R as Loss - 1)",
         LIC_FDP, "2167 exact values >= 0")
cens_ds("salinity", salinity$left, salinity$right,
        "fitdistrplus::salinity (72-hour acute salinity tolerance LC50 of riverine macro-invertebrates, mS/cm; Kefford et al. 2006, Can. J. Fish. Aquat. Sci. 63)",
        LIC_FDP, "108 values: exact, right- and interval-censored")
cens_ds("smokedfish", smokedfish$left, smokedfish$right,
        "fitdistrplus::smokedfish (Listeria monocytogenes in smoked fish, CFU/g; Busschaert et al. 2010, Int. J. Food Microbiol. 138)",
        LIC_FDP, "103 values: mostly left-censored at detection limits, interval-censored, a few exact")
cens_ds("fluazinam", fluazinam$left, fluazinam$right,
        "fitdistrplus::fluazinam (48-hour acute toxicity of fluazinam to 14 aquatic species, ug/L; Hose & Van den Brink 2004 via fitdistrplus)",
        LIC_FDP, "14 values: exact and right-censored")
cens_ds("lung", lung$time, ifelse(lung$status == 2, lung$time, NA),
        "survival::lung (NCCTG advanced lung cancer survival time, days; status 2 = death; Loprinzi et al. 1994)",
        LIC_SURV, "228 times, 63 right-censored")
cens_ds("ovarian", ovarian$futime, ifelse(ovarian$fustat == 1, ovarian$futime, NA),
        "survival::ovarian (ovarian cancer trial survival, days; fustat 1 = death; Edmunson et al. 1979)",
        LIC_SURV, "26 times, 14 right-censored")
local({
  lo <- c(0, 25, 50, 100, 150, 250, 500, 1000, 1500, 2500)
  hi <- c(25, 50, 100, 150, 250, 500, 1000, 1500, 2500, 4000)
  stopifnot(all.equal(as.numeric(gdental[, 1]), c(lo, hi[10])))
  cens_ds("gdental", lo, hi,
          "actuar::gdental (grouped dental claims, 10 classes with frequencies; Klugman, Panjer & Willmot)",
          LIC_ACT, "10 interval classes (0,25] ... (2500,4000] with frequency weights (378 claims)",
          w = as.numeric(gdental[, 2]))
})
exact_ds("quine_days", as.numeric(quine$Days),
         "MASS::quine$Days (days absent from school, 146 children in rural New South Wales; Quine via Aitkin 1978)",
         LIC_MASS, "146 over-dispersed counts")
local({
  tab <- table(as.numeric(discoveries))
  v <- as.numeric(names(tab))
  w <- as.numeric(tab)
  df <- data.frame(x = v, weight = w)
  add_dataset("discoveries", df, make_data(v, v, w),
              "datasets::discoveries (numbers of great inventions and scientific discoveries per year, 1860-1959; World Almanac 1975), tabulated",
              LIC_R, "100 yearly counts given as 12 distinct values with frequency weights", "exact-weighted")
})
exact_ds("newcomb", as.numeric(newcomb),
         "MASS::newcomb (Newcomb's 1882 measurements of the passage time of light, coded; Stigler 1977)",
         LIC_MASS, "66 values with two gross outliers (-44, -2)")
exact_ds("sp500", as.numeric(SP500),
         "MASS::SP500 (daily percentage returns of the S&P 500, 1990-1999; Venables & Ripley 2002)",
         LIC_MASS, "2780 returns, heavy tails")
exact_ds("nile", as.numeric(Nile),
         "datasets::Nile (annual flow of the Nile at Aswan, 1871-1970, 1e8 m^3; Durbin & Koopman 2001)",
         LIC_R, "100 annual values")
exact_ds("nhtemp", as.numeric(nhtemp),
         "datasets::nhtemp (average yearly temperature in New Haven, 1912-1971, degrees F; Vaux & Brinker 1972)",
         LIC_R, "60 annual values, close to normal: the Student-t df profile never crosses the cutoff above")
exact_ds("swiss_agriculture", swiss$Agriculture / 100,
         "datasets::swiss$Agriculture / 100 (share of males in agriculture, 47 Swiss provinces, 1888; Mosteller & Tukey 1977; rescaled from percent to (0,1) by dividing by 100)",
         LIC_R, "47 proportions in (0, 1)")
local({
  df <- data.frame(successes = menarche$Menarche, trials = menarche$Total)
  D <- make_data(df$successes, df$successes, trials = df$trials)
  add_dataset("menarche", df, D,
              "MASS::menarche (girls who had reached menarche, out of those examined, in 25 age groups; Warsaw 1965; Milicer & Szczotka 1966)",
              LIC_MASS, "25 binomial counts with per-observation trials (3918 girls)", "binomial")
})

# ----------------------------------------------------------------------------- package fits
# Each returns list(method, params (mlekit names), loglik, se) as the package reports it.
pf_fitdist <- function(x, distr, map, w = NULL, ...) {
  f <- if (is.null(w)) fitdist(x, distr, ...) else fitdist(x, distr, weights = w, ...)
  list(method = paste0("fitdistrplus::fitdist(x, \"", distr, "\"", if (!is.null(w)) ", weights" else "", ")"),
       params = map(f$estimate), loglik = f$loglik, se = map(f$sd, se = TRUE))
}
pf_fitdistcens <- function(df, distr, map, ...) {
  f <- fitdistcens(df, distr, ...)
  list(method = paste0("fitdistrplus::fitdistcens(censdata, \"", distr, "\")"),
       params = map(f$estimate), loglik = f$loglik, se = map(f$sd, se = TRUE))
}
# maps from R's parameterisation to mlekit's (se = TRUE: map standard errors, not values)
m_id <- function(nms) function(e, se = FALSE) named(e, nms)
m_gamma <- function(e, se = FALSE) {
  if (se) return(named(c(e[["shape"]], NA), c("shape", "scale")))  # rate's SE does not map alone
  named(c(e[["shape"]], 1 / e[["rate"]]), c("shape", "scale"))
}
m_norm <- m_id(c("mu", "sigma"))
m_ls <- m_id(c("loc", "scale"))
m_ss <- m_id(c("shape", "scale"))
m_ig <- function(e, se = FALSE) named(c(e[["mean"]], e[["shape"]]), c("mu", "shape"))
m_nb <- function(e, se = FALSE) named(c(e[["mu"]], e[["size"]]), c("mean", "size"))
m_beta <- function(e, se = FALSE) named(e, c("a", "b")[seq_along(e)])
m_t <- function(e, se = FALSE) named(c(e[["m"]], e[["s"]], e[["df"]]), c("mu", "sigma", "df"))

pf_fitdistr <- function(x, densfun, map, ...) {
  f <- suppressWarnings(fitdistr(x, densfun, ...))
  list(method = paste0("MASS::fitdistr(x, \"", densfun, "\")"),
       params = map(f$estimate), loglik = f$loglik, se = map(f$sd, se = TRUE))
}

pf_survreg <- function(ds, dist) {
  d <- if (ds == "lung") data.frame(time = lung$time, ev = as.numeric(lung$status == 2))
       else data.frame(time = ovarian$futime, ev = ovarian$fustat)
  f <- survreg(Surv(time, ev) ~ 1, data = d, dist = dist)
  b <- unname(coef(f))
  s <- f$scale
  params <- switch(dist,
    weibull = named(c(1 / s, exp(b)), c("shape", "scale")),
    exponential = named(exp(-b), "rate"),
    lognormal = named(c(b, s), c("mu", "sigma")),
    loglogistic = named(c(1 / s, exp(b)), c("shape", "scale")))
  list(method = paste0("survival::survreg(Surv(time, event) ~ 1, dist = \"", dist, "\")"),
       params = params, loglik = as.numeric(logLik(f)))
}

# ----------------------------------------------------------------------------- cases
CASES <- list()
add_case <- function(id, dataset, family, package_fit, fixed = list(), start = NULL,
                     trunc = NULL, cross_checks = list(), notes = NULL) {
  CASES[[length(CASES) + 1]] <<- list(id = id, dataset = dataset, family = family,
    fixed = fixed, start = start, package_fit = package_fit, trunc = trunc,
    cross_checks = cross_checks, notes = notes)
}

gb <- groundbeef$serving
add_case("groundbeef_gamma", "groundbeef", "gamma", function() pf_fitdist(gb, "gamma", m_gamma))
add_case("groundbeef_gamma_shape4", "groundbeef", "gamma", fixed = list(shape = 4),
         function() pf_fitdist(gb, "gamma", function(e, se = FALSE)
           if (se) named(NA, "scale") else named(1 / e[["rate"]], "scale"),
           fix.arg = list(shape = 4), start = list(rate = 0.05)))
add_case("groundbeef_weibull", "groundbeef", "weibull", function() pf_fitdist(gb, "weibull", m_ss))
add_case("groundbeef_lognormal", "groundbeef", "lognormal", function() pf_fitdist(gb, "lnorm", m_norm))
add_case("groundbeef_loglogistic", "groundbeef", "loglogistic",
         function() pf_fitdist(gb, "llogis", m_ss, start = list(shape = 2, scale = median(gb))))
add_case("groundbeef_inverse_gaussian", "groundbeef", "inverse_gaussian",
         function() pf_fitdist(gb, "invgauss", m_ig, start = list(mean = mean(gb), shape = 100)))

atv <- endosulfan$ATV
add_case("endosulfan_lomax", "endosulfan", "lomax",
         function() pf_fitdist(atv, "pareto", m_ss, start = list(shape = 1, scale = 100)))
add_case("endosulfan_loglogistic", "endosulfan", "loglogistic",
         function() pf_fitdist(atv, "llogis", m_ss, start = list(shape = 1, scale = median(atv))))
add_case("endosulfan_weibull", "endosulfan", "weibull", function() pf_fitdist(atv, "weibull", m_ss))

loss <- danishuni$Loss
add_case("danishuni_pareto_scale1", "danishuni", "pareto", fixed = list(scale = 1),
         function() pf_fitdist(loss, "pareto1", function(e, se = FALSE) named(e[["shape"]], "shape"),
                               fix.arg = list(min = 1), start = list(shape = 1)))
local({
  dtlnorm <<- function(x, meanlog, sdlog, log = FALSE) {
    v <- dlnorm(x, meanlog, sdlog, log = TRUE) - plnorm(1, meanlog, sdlog, lower.tail = FALSE, log.p = TRUE)
    if (log) v else exp(v)
  }
  ptlnorm <<- function(q, meanlog, sdlog, lower.tail = TRUE, log.p = FALSE) {
    s1 <- plnorm(1, meanlog, sdlog, lower.tail = FALSE)
    v <- pmax(plnorm(q, meanlog, sdlog) - (1 - s1), 0) / s1
    if (!lower.tail) v <- 1 - v
    if (log.p) log(v) else v
  }
})
add_case("danishuni_lognormal_trunc1", "danishuni", "lognormal", trunc = c(1, Inf),
         function() pf_fitdist(loss, "tlnorm", m_norm, start = list(meanlog = 0, sdlog = 1)),
         notes = "left-truncated at 1 (losses were recorded only above 1 million DKK): truncation = (1, inf)")
add_case("danishuni_excess_lomax", "danishuni_excess", "lomax",
         function() pf_fitdist(loss - 1, "pareto", m_ss, start = list(shape = 2, scale = 2)))

sal <- salinity
add_case("salinity_lognormal", "salinity", "lognormal", function() pf_fitdistcens(sal, "lnorm", m_norm))
add_case("salinity_loglogistic", "salinity", "loglogistic",
         function() pf_fitdistcens(sal, "llogis", m_ss, start = list(shape = 5, scale = 20)))
add_case("salinity_weibull", "salinity", "weibull", function() pf_fitdistcens(sal, "weibull", m_ss))
add_case("salinity_gamma", "salinity", "gamma", function() pf_fitdistcens(sal, "gamma", m_gamma))

add_case("smokedfish_lognormal", "smokedfish", "lognormal",
         function() pf_fitdistcens(smokedfish, "lnorm", m_norm))
add_case("smokedfish_weibull", "smokedfish", "weibull",
         function() pf_fitdistcens(smokedfish, "weibull", m_ss, start = list(shape = 0.3, scale = 1)))
add_case("fluazinam_lognormal", "fluazinam", "lognormal",
         function() pf_fitdistcens(fluazinam, "lnorm", m_norm))
add_case("fluazinam_weibull", "fluazinam", "weibull",
         function() pf_fitdistcens(fluazinam, "weibull", m_ss))

lungdf <- data.frame(left = lung$time, right = ifelse(lung$status == 2, lung$time, NA))
add_case("lung_weibull", "lung", "weibull", function() pf_fitdistcens(lungdf, "weibull", m_ss),
         cross_checks = list(function() pf_survreg("lung", "weibull")))
add_case("lung_weibull_shape1", "lung", "weibull", fixed = list(shape = 1),
         function() pf_fitdistcens(lungdf, "weibull", function(e, se = FALSE) named(e[["scale"]], "scale"),
                                   fix.arg = list(shape = 1), start = list(scale = 300)),
         notes = "shape fixed at 1: the same likelihood as lung_exponential with rate = 1/scale")
add_case("lung_exponential", "lung", "exponential",
         function() pf_fitdistcens(lungdf, "exp", m_id("rate")),
         cross_checks = list(function() pf_survreg("lung", "exponential")))
add_case("lung_lognormal", "lung", "lognormal", function() pf_fitdistcens(lungdf, "lnorm", m_norm),
         cross_checks = list(function() pf_survreg("lung", "lognormal")))
add_case("lung_loglogistic", "lung", "loglogistic",
         function() pf_fitdistcens(lungdf, "llogis", m_ss, start = list(shape = 2, scale = 300)),
         cross_checks = list(function() pf_survreg("lung", "loglogistic")))
add_case("lung_gamma", "lung", "gamma", function() pf_fitdistcens(lungdf, "gamma", m_gamma,
         start = list(shape = 1.5, rate = 0.005)))

ovdf <- data.frame(left = ovarian$futime, right = ifelse(ovarian$fustat == 1, ovarian$futime, NA))
add_case("ovarian_weibull", "ovarian", "weibull", function() pf_fitdistcens(ovdf, "weibull", m_ss),
         cross_checks = list(function() pf_survreg("ovarian", "weibull")))
add_case("ovarian_lognormal", "ovarian", "lognormal", function() pf_fitdistcens(ovdf, "lnorm", m_norm),
         cross_checks = list(function() pf_survreg("ovarian", "lognormal")))

gdf <- data.frame(left = c(0, 25, 50, 100, 150, 250, 500, 1000, 1500, 2500),
                  right = c(25, 50, 100, 150, 250, 500, 1000, 1500, 2500, 4000))
gw <- as.numeric(gdental[, 2])
add_case("gdental_lognormal", "gdental", "lognormal",
         function() pf_fitdistcens(gdf, "lnorm", m_norm, weights = gw))
add_case("gdental_exponential", "gdental", "exponential",
         function() pf_fitdistcens(gdf, "exp", m_id("rate"), weights = gw))
add_case("gdental_gamma", "gdental", "gamma",
         function() pf_fitdistcens(gdf, "gamma", m_gamma, weights = gw, start = list(shape = 1, rate = 0.003)))
add_case("gdental_weibull", "gdental", "weibull",
         function() pf_fitdistcens(gdf, "weibull", m_ss, weights = gw))

qd <- as.numeric(quine$Days)
add_case("quine_negative_binomial", "quine_days", "negative_binomial",
         function() pf_fitdistr(qd, "negative binomial", m_nb))
add_case("quine_poisson", "quine_days", "poisson", function() pf_fitdist(qd, "pois", m_id("rate")))
add_case("quine_geometric", "quine_days", "geometric", function() pf_fitdist(qd, "geom", m_id("p")))

dv <- as.numeric(names(table(discoveries)))
dw <- as.numeric(table(discoveries))
add_case("discoveries_poisson", "discoveries", "poisson",
         function() pf_fitdist(dv, "pois", m_id("rate"), w = dw))
add_case("discoveries_negative_binomial", "discoveries", "negative_binomial",
         function() pf_fitdist(dv, "nbinom", m_nb, w = dw))
add_case("discoveries_geometric", "discoveries", "geometric",
         function() pf_fitdist(dv, "geom", m_id("p"), w = dw))
add_case("discoveries_negative_binomial_size1", "discoveries", "negative_binomial", fixed = list(size = 1),
         function() pf_fitdist(dv, "nbinom", function(e, se = FALSE) named(e[["mu"]], "mean"), w = dw,
                               fix.arg = list(size = 1), start = list(mu = 3)),
         notes = "size fixed at 1: the same likelihood as discoveries_geometric with p = 1/(1 + mean)")

nc <- as.numeric(newcomb)
add_case("newcomb_normal", "newcomb", "normal", function() pf_fitdist(nc, "norm", m_norm))
add_case("newcomb_student_t", "newcomb", "student_t", function() pf_fitdistr(nc, "t", m_t))
add_case("newcomb_student_t_df3", "newcomb", "student_t", fixed = list(df = 3),
         function() pf_fitdistr(nc, "t", function(e, se = FALSE) named(c(e[["m"]], e[["s"]]), c("mu", "sigma")),
                                df = 3))
add_case("newcomb_cauchy", "newcomb", "cauchy", function() pf_fitdist(nc, "cauchy", m_ls))
add_case("newcomb_logistic", "newcomb", "logistic", function() pf_fitdist(nc, "logis", m_ls))

sp <- as.numeric(SP500)
add_case("sp500_student_t", "sp500", "student_t", function() pf_fitdistr(sp, "t", m_t))
add_case("sp500_normal", "sp500", "normal", function() pf_fitdist(sp, "norm", m_norm))

nile <- as.numeric(Nile)
add_case("nile_gumbel", "nile", "gumbel",
         function() pf_fitdist(nile, "gumbel", function(e, se = FALSE) named(c(e[["alpha"]], e[["scale"]]), c("loc", "scale")),
                               start = list(alpha = 800, scale = 150)))
add_case("nile_normal", "nile", "normal", function() pf_fitdist(nile, "norm", m_norm))
add_case("nile_logistic", "nile", "logistic", function() pf_fitdist(nile, "logis", m_ls))

nh <- as.numeric(nhtemp)
add_case("nhtemp_student_t", "nhtemp", "student_t", function() pf_fitdistr(nh, "t", m_t,
         start = list(m = 51, s = 1, df = 8), lower = c(-Inf, 0.01, 0.1)),
         notes = "df is weakly identified (LRT against the normal 0.85): its 95% profile interval is open above (null upper end)")

ag <- swiss$Agriculture / 100
add_case("swiss_agriculture_beta", "swiss_agriculture", "beta", function() pf_fitdist(ag, "beta", m_beta))
add_case("swiss_agriculture_beta_a1", "swiss_agriculture", "beta", fixed = list(a = 1),
         function() pf_fitdist(ag, "beta", function(e, se = FALSE) named(e[["shape2"]], "b"),
                               fix.arg = list(shape1 = 1), start = list(shape2 = 1)))

add_case("menarche_binomial", "menarche", "binomial", function() {
  f <- glm(cbind(Menarche, Total - Menarche) ~ 1, family = binomial, data = menarche)
  list(method = "glm(cbind(Menarche, Total - Menarche) ~ 1, family = binomial)",
       params = named(plogis(coef(f)[[1]]), "p"), loglik = as.numeric(logLik(f)))
})

# ----------------------------------------------------------------------------- run
run_case <- function(cs) {
  fam <- FAM[[cs$family]]
  ds <- DATASETS[[cs$dataset]]
  D <- ds$D
  if (!is.null(cs$trunc)) D$trunc <- cs$trunc
  P <- problem(fam, D, cs$fixed)
  pf_warnings <- character(0)
  pf <- withCallingHandlers(cs$package_fit(), warning = function(w) {
    pf_warnings <<- c(pf_warnings, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  start <- if (!is.null(cs$start)) cs$start else pf$params
  fit <- polish(P, start)
  pf_ll_ours <- P$ll(unlist(pf$params[P$free]))
  prof <- profile_ci(P, fit)
  bb <- bbmle_ci(P, fit)
  rel_step <- abs(fit$step) / pmax(abs(fit$est), fit$se)
  bb_diff <- if (!is.null(bb$ci)) max(abs(unlist(bb$ci) - unlist(prof$ci)) /
                                        pmax(abs(unlist(prof$ci)), 1e-300), na.rm = TRUE) else NA
  cc <- lapply(cs$cross_checks, function(f) f())
  entry <- list(
    id = cs$id,
    dataset = cs$dataset,
    family = cs$family,
    r_density = fam$r,
    fixed = if (length(cs$fixed)) lapply(cs$fixed, as.numeric) else empty_obj(),
    truncation = if (is.null(cs$trunc)) NULL else I(cs$trunc),
    n_obs = D$n,
    free = I(P$free),
    params = named(fit$est, P$free),
    loglik = fit$ll,
    se = named(fit$se, P$free),
    cov = lapply(seq_len(nrow(fit$cov)), function(i) I(fit$cov[i, ])),
    grad = named(fit$grad, P$free),
    grad_max_abs = max(abs(fit$grad)),
    newton_step_rel = max(rel_step),
    se_step_sensitivity = fit$se_check,
    profile = list(
      level = 0.95,
      cutoff = prof$cutoff,
      method = "own root finding in R: uniroot (tol 1e-13 on the unconstrained scale) of profile loglik = loglik - qchisq(0.95, 1)/2; nuisance parameters re-maximised by BFGS + Newton (numDeriv) at each point; null = no crossing (open end); nuisance_at_ends = the maximising values of the other free parameters at each end point",
      ci = lapply(prof$ci, function(v) I(v)),
      nuisance_at_ends = if (length(prof$nuisance)) prof$nuisance else empty_obj()
    ),
    bbmle_profile = if (!is.null(bb$ci)) list(
      method = "bbmle::confint(mle2(nll on log/logit scale, method = 'BFGS'), method = 'uniroot'), mapped back",
      ci = lapply(bb$ci, function(v) I(v)),
      max_rel_diff_from_profile = bb_diff
    ) else list(error = bb$error),
    package_fit = list(
      method = pf$method,
      params = pf$params,
      loglik_reported = pf$loglik,
      loglik_at_package_params = pf_ll_ours,
      se_reported = if (is.null(pf$se)) NULL else pf$se,
      warnings = I(unique(pf_warnings)),
      max_rel_diff_from_polished = max(abs(unlist(pf$params[P$free]) - fit$est) / abs(fit$est))
    ),
    cross_checks = lapply(cc, function(x) list(method = x$method, params = x$params, loglik = x$loglik,
      max_rel_diff_from_polished = max(abs(unlist(x$params[P$free]) - fit$est) / abs(fit$est))))
  )
  if (!is.null(cs$notes)) entry$notes <- cs$notes
  cat(sprintf("%-38s ll=%.10f  |g|=%.1e step=%.1e se-chk=%.1e pkg-diff=%.1e bbmle-diff=%.1e evals=%d\n",
              cs$id, fit$ll, max(abs(fit$grad)), max(rel_step), fit$se_check,
              entry$package_fit$max_rel_diff_from_polished, bb_diff, prof$evals))
  entry
}

cases_out <- lapply(CASES, run_case)

versions <- list()
for (p in c("fitdistrplus", "MASS", "survival", "bbmle", "actuar", "numDeriv"))
  versions[[p]] <- as.character(packageVersion(p))

out <- list(
  description = paste(
    "Reference maximum-likelihood fits made in R by tests/reference/make_reference.R.",
    "Parameters use mlekit's names and parameterisations. 'params' is the polished optimum;",
    "'loglik' includes every constant; 'se' and 'cov' are from the inverse observed information",
    "(numerical Hessian, numDeriv) in the natural parameters; 'profile.ci' are 95% profile",
    "likelihood intervals. See tests/reference/README.md."),
  generated_by = "tests/reference/make_reference.R",
  r_version = R.version.string,
  packages = versions,
  datasets = lapply(DATASETS, function(d) d$meta),
  cases = cases_out
)
writeLines(to_json(out), file.path(script_dir, "reference.json"))
cat("wrote", length(cases_out), "cases to", file.path(script_dir, "reference.json"), "\n")

# ----------------------------------------------------------------------------- glm profile intervals
# Regression coefficients' 95% profile-likelihood intervals (issue 18): MASS's confint(glm)
# (profile.glm on a grid, then spline interpolation) as R users get them, and the exact roots
# (uniroot, tol 1e-13, of 2 (ll_max - pl(b_j)) = qchisq(0.95, 1); pl refits the other
# coefficients by glm.fit with b_j x_j as an offset).  Written to glm_profile.json.
glm_exact_ci <- function(fit) {
  X <- model.matrix(fit)
  y <- fit$y
  ll0 <- as.numeric(logLik(fit))
  se <- sqrt(diag(vcov(fit)))
  one <- function(j, side) {
    dev <- function(v) {
      r <- glm.fit(X[, -j, drop = FALSE], y, offset = X[, j] * v, family = fit$family,
                   control = glm.control(epsilon = 1e-15, maxit = 200))
      2 * (ll0 + (r$aic - 2 * r$rank) / 2) - qchisq(0.95, 1)
    }
    b <- coef(fit)[[j]]
    uniroot(dev, if (side < 0) c(b - 8 * se[[j]], b) else c(b, b + 8 * se[[j]]),
            tol = 1e-13)$root
  }
  out <- lapply(seq_along(coef(fit)), function(j) I(c(one(j, -1), one(j, 1))))
  names(out) <- names(coef(fit))
  out
}

glm_case <- function(id, fit, formula, family, file) {
  mass <- suppressMessages(confint(fit, level = 0.95))
  ci_mass <- lapply(seq_len(nrow(mass)), function(i) I(as.numeric(mass[i, ])))
  names(ci_mass) <- rownames(mass)
  cat(sprintf("%-38s ll=%.10f\n", id, as.numeric(logLik(fit))))
  list(id = id, file = file, formula = formula, family = family,
       params = named(coef(fit), names(coef(fit))), se = named(sqrt(diag(vcov(fit))), names(coef(fit))),
       loglik = as.numeric(logLik(fit)),
       confint_mass = ci_mass, profile_exact = glm_exact_ci(fit))
}

wb <- data.frame(breaks = warpbreaks$breaks, woolB = as.numeric(warpbreaks$wool == "B"),
                 tensionM = as.numeric(warpbreaks$tension == "M"),
                 tensionH = as.numeric(warpbreaks$tension == "H"))
wb_file <- write_csv(wb, "warpbreaks")
wb <- read.csv(file.path(script_dir, wb_file))
bw <- data.frame(low = birthwt$low, age = birthwt$age, lwt = birthwt$lwt, smoke = birthwt$smoke)
bw_file <- write_csv(bw, "birthwt")
bw <- read.csv(file.path(script_dir, bw_file))
glm_out <- list(
  description = paste(
    "95% profile-likelihood intervals of glm coefficients: confint_mass = MASS's confint(glm)",
    "(profile.glm grid + spline), profile_exact = uniroot roots of the profile deviance",
    "(glm.fit refits with the coefficient as an offset, tol 1e-13)."),
  generated_by = "tests/reference/make_reference.R",
  r_version = R.version.string,
  packages = list(MASS = as.character(packageVersion("MASS"))),
  cases = list(
    glm_case("warpbreaks_poisson", glm(breaks ~ woolB + tensionM + tensionH, family = poisson,
                                       data = wb, control = glm.control(epsilon = 1e-14)),
             "breaks ~ woolB + tensionM + tensionH", "poisson", wb_file),
    glm_case("birthwt_logistic", glm(low ~ age + lwt + smoke, family = binomial, data = bw,
                                     control = glm.control(epsilon = 1e-14)),
             "low ~ age + lwt + smoke", "bernoulli", bw_file)))
writeLines(to_json(glm_out), file.path(script_dir, "glm_profile.json"))
cat("wrote", file.path(script_dir, "glm_profile.json"), "\n")

# ----------------------------------------------------------------------------- GLM residuals
# Issue 18: residuals(glm, "deviance" / "pearson" / "response") on R data sets, and for the
# canonical links (poisson, binomial, gaussian) hatvalues() and cooks.distance().  Each data
# set is written as data/glm_<id>.csv: the response y and the model matrix's non-intercept
# columns x1..xp (factors already coded as R codes them), and refitted from the CSV as read
# back, so Python fits exactly what R fitted.  Output: glm_residuals.json (fields: id, family,
# file, formula, r_call, source, coefficients, deviance, pearson, response, [size], [hat, cooks]).
glm_resid_case <- function(id, mf, family, family_name, r_call, source, size = NULL,
                     canonical = TRUE) {
  Xm <- model.matrix(attr(mf, "terms"), mf)[, -1, drop = FALSE]
  cols <- paste0("x", seq_len(ncol(Xm)))
  df <- data.frame(y = as.numeric(model.response(mf)))
  for (j in seq_along(cols)) df[[cols[j]]] <- as.numeric(Xm[, j])
  file <- write_csv(df, paste0("glm_", id))
  back <- read.csv(file.path(script_dir, file))
  f <- glm(reformulate(cols, "y"), family = family, data = back,
           control = glm.control(epsilon = 1e-15, maxit = 500))
  out <- list(id = id, family = family_name, file = file,
              formula = paste("y ~", paste(cols, collapse = " + ")),
              columns = I(setNames(colnames(Xm), cols)), r_call = r_call, source = source,
              coefficients = named(coef(f), c("Intercept", cols)),
              deviance = I(unname(residuals(f, "deviance"))),
              pearson = I(unname(residuals(f, "pearson"))),
              response = I(unname(residuals(f, "response"))))
  if (!is.null(size)) out$size <- size
  if (canonical) {
    out$hat <- I(unname(hatvalues(f)))
    out$cooks <- I(unname(cooks.distance(f)))
  }
  cat(sprintf("%-38s n=%d p=%d deviance=%.10f\n", paste0("glm_", id), nrow(df), length(cols) + 1,
              deviance(f)))
  out
}

nb_fit <- glm.nb(Days ~ Eth + Sex + Age + Lrn, data = quine, control = glm.control(epsilon = 1e-15, maxit = 500))
glm_out <- list(
  glm_resid_case("warpbreaks_poisson", model.frame(breaks ~ wool + tension, warpbreaks), poisson(),
           "poisson", "glm(breaks ~ wool + tension, family = poisson, data = warpbreaks)",
           "datasets::warpbreaks"),
  glm_resid_case("birthwt_binomial", model.frame(low ~ age + lwt + factor(race) + smoke + ht + ui, birthwt),
           binomial(), "bernoulli",
           "glm(low ~ age + lwt + factor(race) + smoke + ht + ui, family = binomial, data = birthwt)",
           "MASS::birthwt"),
  glm_resid_case("mtcars_gaussian", model.frame(mpg ~ wt + hp + qsec, mtcars), gaussian(), "normal",
           "glm(mpg ~ wt + hp + qsec, family = gaussian, data = mtcars)", "datasets::mtcars"),
  glm_resid_case("trees_gamma", model.frame(Volume ~ log(Girth) + log(Height), trees), Gamma("log"),
           "gamma", "glm(Volume ~ log(Girth) + log(Height), family = Gamma('log'), data = trees)",
           "datasets::trees", canonical = FALSE),
  glm_resid_case("quine_negbin", model.frame(Days ~ Eth + Sex + Age + Lrn, quine),
           negative.binomial(nb_fit$theta), "negative_binomial",
           "glm(Days ~ Eth + Sex + Age + Lrn, family = negative.binomial(theta), data = quine), theta = MASS::glm.nb(...)$theta (size)",
           "MASS::quine", size = nb_fit$theta, canonical = FALSE)
)
glm_json <- list(
  description = paste(
    "R's residuals(glm, 'deviance'/'pearson'/'response') (and hatvalues, cooks.distance for",
    "canonical links) made by tests/reference/make_reference.R; data in data/glm_<id>.csv.",
    "The negative binomial size is MASS::glm.nb's theta, held fixed. See tests/reference/README.md."),
  generated_by = "tests/reference/make_reference.R",
  r_version = R.version.string,
  cases = glm_out)
writeLines(to_json(glm_json), file.path(script_dir, "glm_residuals.json"))
cat("wrote", length(glm_out), "GLM residual cases to", file.path(script_dir, "glm_residuals.json"), "\n")

# ----------------------------------------------------------------------------- product-limit, late entry
# Issue 16 (GOF with per-row truncation): survival::survfit on counting-process data
# Surv(entry, time, status) -- the product-limit estimate with a risk set, a unit at risk only
# after its entry -- on round2's weibull_late_entry data (round2/data/sim_weibull_late_entry.csv,
# read as it is). Output: km_late_entry.json (time, surv, n_risk, n_event at each event time).
le <- read.csv(file.path(script_dir, "round2", "data", "sim_weibull_late_entry.csv"))
le_fit <- survfit(Surv(entry, time, status) ~ 1, data = le)
le_ev <- le_fit$n.event > 0
km_json <- list(
  description = paste(
    "survival::survfit(Surv(entry, time, status) ~ 1) on round2/data/sim_weibull_late_entry.csv:",
    "the product-limit estimate with late entry, at the event times. Made by",
    "tests/reference/make_reference.R (section 'product-limit, late entry')."),
  generated_by = "tests/reference/make_reference.R",
  r_version = R.version.string,
  data_file = "round2/data/sim_weibull_late_entry.csv",
  r_call = "survfit(Surv(entry, time, status) ~ 1, data = le)",
  time = I(le_fit$time[le_ev]), surv = I(le_fit$surv[le_ev]),
  n_risk = I(le_fit$n.risk[le_ev]), n_event = I(le_fit$n.event[le_ev]))
writeLines(to_json(km_json), file.path(script_dir, "km_late_entry.json"))
cat("wrote", file.path(script_dir, "km_late_entry.json"), "\n")
