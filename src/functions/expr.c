/* expr.c - functions of x and y typed as text ("x^2 + 10*y^2"), for
 * `descent trace --fn`, `descent plot --fn` and the explorer.
 *
 * A recursive-descent parser (one function per precedence level, nesting
 * bounded by DS_FN2D_EXPR_MAX_DEPTH) compiles the text into postfix code;
 * evaluation runs the code on a stack of dual numbers (value, d/dx, d/dy),
 * so the gradient is exact: forward-mode automatic differentiation, each
 * operation applying its own derivative rule (Griewank & Walther,
 * "Evaluating Derivatives", 2nd ed., ch. 3), not finite differences. */
#include "descent/functions.h"
#include "descent/parse.h"

#include "core/internal.h"
#include "functions/fn2d_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op_code {
    OP_NUM,
    OP_X,
    OP_Y,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_POW,
    OP_NEG,
    OP_EXP,
    OP_LOG,
    OP_SQRT,
    OP_SIN,
    OP_COS,
    OP_TANH,
    OP_ABS /* the functions, in names[] order */
};

static const char *const names[] = {"exp", "log", "sqrt", "sin", "cos", "tanh", "abs"};
#define NNAMES (int)(sizeof names / sizeof names[0])

typedef struct op {
    int code;
    double num; /* OP_NUM's value */
} op;

/* Each nesting level leaves at most one pending operand per precedence
 * level (sum, product, power base) on the stack. */
#define STACK_MAX (3 * DS_FN2D_EXPR_MAX_DEPTH + 4)

typedef struct expr_fn {
    ds_fn2d fn; /* first: a ds_fn2d * is an expr_fn * */
    int nops;
    op ops[]; /* then the text, which fn.name points to */
} expr_fn;

typedef struct parser {
    const char *s;
    size_t pos;
    int depth, height;
    int nops;
    op *ops;
    ds_status st;
} parser;

static ds_status parse_sum(parser *p);

#define DS__STR2(v) #v
#define DS__STR(v)  DS__STR2(v)

/* Records the first error only, as "column C: ..." (1-based). */
static ds_status fail_at(parser *p, size_t pos, const char *what, const char *detail)
{
    if (p->st == DS_OK)
        p->st = ds__fail(DS_ERR_PARSE, "column %zu: %s%s", pos + 1, what, detail ? detail : "");
    return p->st;
}

static void skip_blanks(parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')
        p->pos++;
}

/* What stands at the position, for messages: " (got 'c')" or " (got the end)". */
static const char *got(const parser *p)
{
    static _Thread_local char text[32];
    char c = p->s[p->pos];
    if (c == '\0') return " (got the end of the expression)";
    snprintf(text, sizeof text, " (got '%c')", c >= ' ' && c <= '~' ? c : '?');
    return text;
}

/* Appends an op; `pops` operands become one result. */
static void emit(parser *p, int code, double num, int pops)
{
    p->ops[p->nops++] = (op){code, num};
    p->height += 1 - pops;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* digits[.digits][(e|E)[+-]digits] or .digits[...]: the span's length. */
static size_t number_span(const char *s)
{
    size_t n = 0;
    while (is_digit(s[n]))
        n++;
    if (s[n] == '.') n++;
    while (is_digit(s[n]))
        n++;
    if ((s[n] == 'e' || s[n] == 'E') &&
        (is_digit(s[n + 1]) || ((s[n + 1] == '+' || s[n + 1] == '-') && is_digit(s[n + 2])))) {
        n += 2;
        while (is_digit(s[n]))
            n++;
    }
    return n;
}

static ds_status parse_number(parser *p)
{
    size_t start = p->pos, n = number_span(p->s + start);
    char text[DS_FN2D_EXPR_MAX_LEN + 1];
    double v;
    if (n == 1 && p->s[start] == '.') return fail_at(p, start, "expected digits around '.'", NULL);
    memcpy(text, p->s + start, n);
    text[n] = '\0';
    if (ds_parse_double(text, &v) != 0) return fail_at(p, start, "number out of range: ", text);
    p->pos += n;
    emit(p, OP_NUM, v, 0);
    return DS_OK;
}

/* A parenthesized sum after '(' at `open`, up to and past its ')'. */
static ds_status parse_group(parser *p, size_t open)
{
    if (parse_sum(p) != DS_OK) return p->st;
    skip_blanks(p);
    if (p->s[p->pos] != ')') {
        char detail[64];
        snprintf(detail, sizeof detail, " to close the '(' of column %zu%s", open + 1, got(p));
        return fail_at(p, p->pos, "expected ')'", detail);
    }
    p->pos++;
    return DS_OK;
}

/* x, y, or a function name followed by its parenthesized argument. */
static ds_status parse_name(parser *p)
{
    size_t start = p->pos, n = 0;
    while (is_alpha(p->s[start + n]) || is_digit(p->s[start + n]))
        n++;
    p->pos += n;
    if (n == 1 && (p->s[start] == 'x' || p->s[start] == 'y')) {
        emit(p, p->s[start] == 'x' ? OP_X : OP_Y, 0.0, 0);
        return DS_OK;
    }
    for (int i = 0; i < NNAMES; i++) {
        if (strlen(names[i]) != n || strncmp(names[i], p->s + start, n) != 0) continue;
        skip_blanks(p);
        if (p->s[p->pos] != '(') return fail_at(p, p->pos, "expected '(' after the name", got(p));
        if (parse_group(p, p->pos++) != DS_OK) return p->st;
        emit(p, OP_EXP + i, 0.0, 1);
        return DS_OK;
    }
    char word[128];
    snprintf(word, sizeof word, "'%.*s'%s (accepted: x, y, exp, log, sqrt, sin, cos, tanh, abs)",
             n > 40 ? 40 : (int)n, p->s + start, n > 40 ? "..." : "");
    return fail_at(p, start, "unknown name ", word);
}

static ds_status parse_primary(parser *p)
{
    skip_blanks(p);
    char c = p->s[p->pos];
    if (is_digit(c) || c == '.') return parse_number(p);
    if (is_alpha(c)) return parse_name(p);
    if (c == '(') return parse_group(p, p->pos++);
    return fail_at(p, p->pos, "expected a number, x, y, a function such as exp(...) or '('",
                   got(p));
}

/* unary := ('-' | '+') unary | primary ['^' unary]; each level nests once. */
static ds_status parse_unary(parser *p)
{
    skip_blanks(p);
    if (++p->depth > DS_FN2D_EXPR_MAX_DEPTH || p->height + 3 > STACK_MAX)
        return fail_at(p, p->pos,
                       "nested too deeply (limit " DS__STR(DS_FN2D_EXPR_MAX_DEPTH) " levels)",
                       NULL);
    char c = p->s[p->pos];
    if (c == '-' || c == '+') {
        p->pos++;
        if (parse_unary(p) != DS_OK) return p->st;
        if (c == '-') emit(p, OP_NEG, 0.0, 1);
    } else {
        if (parse_primary(p) != DS_OK) return p->st;
        skip_blanks(p);
        if (p->s[p->pos] == '^') {
            p->pos++;
            if (parse_unary(p) != DS_OK) return p->st;
            emit(p, OP_POW, 0.0, 2);
        }
    }
    p->depth--;
    return DS_OK;
}

/* One left-associative level: operand (op operand)*, ops[i] for chars[i]. */
static ds_status parse_level(parser *p, const char *chars, const int *codes,
                             ds_status (*operand)(parser *))
{
    if (operand(p) != DS_OK) return p->st;
    for (;;) {
        skip_blanks(p);
        const char *hit = p->s[p->pos] ? strchr(chars, p->s[p->pos]) : NULL;
        if (!hit) return DS_OK;
        p->pos++;
        if (operand(p) != DS_OK) return p->st;
        emit(p, codes[hit - chars], 0.0, 2);
    }
}

static ds_status parse_product(parser *p)
{
    static const int codes[] = {OP_MUL, OP_DIV};
    return parse_level(p, "*/", codes, parse_unary);
}

static ds_status parse_sum(parser *p)
{
    static const int codes[] = {OP_ADD, OP_SUB};
    return parse_level(p, "+-", codes, parse_product);
}

typedef struct dual {
    double v, dx, dy;
} dual;

/* fp * d, with 0 where d is 0: an input a result does not depend on stays
 * out of its gradient even where fp is infinite (sqrt(y) at y = 0). */
static double chain(double fp, double d)
{
    return d == 0.0 ? 0.0 : fp * d;
}

static dual apply1(double v, double fp, dual a)
{
    return (dual){v, chain(fp, a.dx), chain(fp, a.dy)};
}

static dual apply2(double v, double fa, dual a, double fb, dual b)
{
    return (dual){v, chain(fa, a.dx) + chain(fb, b.dx), chain(fa, a.dy) + chain(fb, b.dy)};
}

/* a^b: d/da = b a^(b-1) (also for a < 0 and whole b), d/db = a^b ln a. */
static dual dual_pow(dual a, dual b)
{
    double v = pow(a.v, b.v), fa = b.v == 0.0 ? 0.0 : b.v * pow(a.v, b.v - 1.0);
    return apply2(v, fa, a, v * log(a.v), b);
}

static dual function(int code, dual a)
{
    double t;
    switch (code) {
    case OP_NEG:
        return apply1(-a.v, -1.0, a);
    case OP_EXP:
        t = exp(a.v);
        return apply1(t, t, a);
    case OP_LOG:
        return apply1(log(a.v), 1.0 / a.v, a);
    case OP_SQRT:
        t = sqrt(a.v);
        return apply1(t, 0.5 / t, a);
    case OP_SIN:
        return apply1(sin(a.v), cos(a.v), a);
    case OP_COS:
        return apply1(cos(a.v), -sin(a.v), a);
    case OP_TANH:
        t = tanh(a.v);
        return apply1(t, 1.0 - t * t, a);
    default:
        return apply1(fabs(a.v), (a.v > 0) - (a.v < 0), a); /* OP_ABS */
    }
}

static dual binary(int code, dual a, dual b)
{
    switch (code) {
    case OP_ADD:
        return apply2(a.v + b.v, 1.0, a, 1.0, b);
    case OP_SUB:
        return apply2(a.v - b.v, 1.0, a, -1.0, b);
    case OP_MUL:
        return apply2(a.v * b.v, b.v, a, a.v, b);
    case OP_DIV:
        return apply2(a.v / b.v, 1.0 / b.v, a, -a.v / (b.v * b.v), b);
    default:
        return dual_pow(a, b); /* OP_POW */
    }
}

static double expr_eval(const ds_fn2d *f, double x, double y, double *grad)
{
    const expr_fn *e = f->ctx;
    dual stack[STACK_MAX];
    int h = 0;
    for (int i = 0; i < e->nops; i++) {
        const op *o = &e->ops[i];
        switch (o->code) {
        case OP_NUM:
            stack[h++] = (dual){o->num, 0.0, 0.0};
            break;
        case OP_X:
            stack[h++] = (dual){x, 1.0, 0.0};
            break;
        case OP_Y:
            stack[h++] = (dual){y, 0.0, 1.0};
            break;
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_POW:
            h--;
            stack[h - 1] = binary(o->code, stack[h - 1], stack[h]);
            break;
        default:
            stack[h - 1] = function(o->code, stack[h - 1]);
        }
    }
    if (grad) {
        grad[0] = stack[0].dx;
        grad[1] = stack[0].dy;
    }
    return stack[0].v;
}

/* Parses the whole text into p->ops; DS_OK or the first error. */
static ds_status compile(parser *p)
{
    if (parse_sum(p) != DS_OK) return p->st;
    skip_blanks(p);
    if (p->s[p->pos] != '\0')
        return fail_at(p, p->pos, "expected an operator (+ - * / ^) or the end", got(p));
    return DS_OK;
}

ds_status ds_fn2d_parse_expr(const char *text, ds_fn2d **out)
{
    if (!text || !out) return ds__fail(DS_ERR_INVALID, "ds_fn2d_parse_expr: NULL argument");
    size_t len = strlen(text);
    if (len > DS_FN2D_EXPR_MAX_LEN)
        return ds__fail(DS_ERR_PARSE, "expression longer than %d characters (%zu)",
                        DS_FN2D_EXPR_MAX_LEN, len);
    /* a token makes at most one op, and every character is at most one token */
    size_t bytes = sizeof(expr_fn) + (len + 1) * sizeof(op) + len + 1;
    expr_fn *e = calloc(1, bytes);
    if (!e) return ds__nomem("an expression", bytes);
    parser p = {.s = text, .ops = e->ops};
    if (compile(&p) != DS_OK) {
        free(e);
        return p.st;
    }
    char *name = (char *)(e->ops + len + 1);
    memcpy(name, text, len + 1);
    e->nops = p.nops;
    e->fn = (ds_fn2d){name, expr_eval, {-4, 4, -4, 4}, 0, {{0, 0}}, 0, e};
    *out = &e->fn;
    return DS_OK;
}

ds_status ds_fn2d_parse(const char *text, const ds_fn2d **out)
{
    if (!text || !out) return ds__fail(DS_ERR_INVALID, "ds_fn2d_parse: NULL argument");
    const ds_fn2d *f = ds_fn2d_find(text);
    size_t word = 0;
    while (is_alpha(text[word]) || is_digit(text[word]))
        word++;
    if (!f && word > 1 && is_alpha(text[0]) &&
        text[word] == '\0') { /* a misspelt name, not an expression */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ds_last_error());
        return ds__fail(DS_ERR_NOT_FOUND, "%s, or an expression in x and y", msg);
    }
    if (f) {
        *out = f;
        return DS_OK;
    }
    ds_fn2d *e = NULL;
    ds_status st = ds_fn2d_parse_expr(text, &e);
    if (st == DS_OK) *out = e;
    return st;
}

void ds_fn2d_free(const ds_fn2d *f)
{
    if (f && (f->eval == expr_eval || f->eval == ds__fn2d_noisy_eval)) free((void *)f);
}
