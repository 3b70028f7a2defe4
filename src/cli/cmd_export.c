/* cmd_export.c - `descent export`: a saved model as an ONNX file (to run
 * it in ONNX Runtime and the tools that read ONNX) or its weights as a
 * safetensors file (torch's nn.Sequential names), through the inference
 * API's writers (descent/infer.h). Written atomically: bad input or a
 * failure leaves no file. */
#include "commands.h"
#include "outputs.h"

#include "descent/infer.h"

#include <stdio.h>
#include <string.h>

static struct {
    const char *file, *format, *output;
    int softmax;
} o;

static const cli_arg export_args[] = {
    {"model-file", CLI_ARG_STRING, &o.file, "FILE", "model from descent train --save (required)"},
    {"format", CLI_ARG_STRING, &o.format, "onnx|safetensors", "what to write (required)"},
    {"output", CLI_ARG_STRING, &o.output, "FILE", "the file to write (required)"},
    {"softmax", CLI_ARG_FLAG, &o.softmax, NULL,
     "onnx, classifiers: end with a Softmax (probabilities, not logits)"},
    {NULL, 0, NULL, NULL, NULL},
};

static const cli_arg_short export_shorts[] = {{'o', "output"}, {0, NULL}};

static const cli_command export_cmd = {
    .name = "export",
    .usage = "descent export --model-file FILE --format onnx|safetensors -o OUT [--softmax]",
    .summary = "write a saved model as ONNX, or its weights as safetensors",
    .details = "onnx: opset 13, Gemm + Relu/Sigmoid/Tanh per layer, input \"input\" [N, inputs],\n"
               "output \"output\" [N, outputs]. safetensors: float32 weights named as torch's\n"
               "nn.Sequential state_dict (\"0.weight\" [out, in], \"0.bias\", \"2.weight\", ...).\n"
               "Exit status: 0 done, 1 runtime failure, 2 bad input (nothing written).",
    .args = export_args,
    .shorts = export_shorts,
};

static int run_export(int argc, char **argv)
{
    memset(&o, 0, sizeof o);
    int rc = cli_parse(&export_cmd, argc, argv, NULL);
    if (rc >= 0) return rc;
    if (!o.file) return cli_usage_error(&export_cmd, "missing --model-file FILE");
    if (!o.output) return cli_usage_error(&export_cmd, "missing -o/--output FILE");
    int onnx = o.format && strcmp(o.format, "onnx") == 0;
    if (!o.format || (!onnx && strcmp(o.format, "safetensors") != 0))
        return cli_usage_error(&export_cmd, "--format: expected onnx or safetensors, got '%s'",
                               o.format ? o.format : "nothing");
    if (o.softmax && !onnx) return cli_usage_error(&export_cmd, "--softmax is for --format onnx");
    cli_file out = {"output", o.output, CLI_STREAM, 0};
    cli_file in = {"model-file", o.file, CLI_CKPT, 0};
    if ((rc = cli_check_outputs(&export_cmd, &out, 1, &in, 1)) >= 0) return rc;
    ds_infer_params p = ds_infer_default_params();
    p.slots = 1;
    ds_infer *inf;
    if (ds_infer_load(o.file, &p, &inf) != DS_OK) return cli_lib_error(&export_cmd, CLI_EXIT_USAGE);
    ds_onnx_params op = ds_onnx_default_params();
    op.softmax = o.softmax;
    ds_status s = onnx ? ds_infer_export_onnx(inf, &op, o.output)
                       : ds_infer_export_safetensors(inf, o.output);
    ds_infer_free(inf);
    if (s != DS_OK)
        return cli_lib_error(&export_cmd, s == DS_ERR_INVALID ? CLI_EXIT_USAGE : CLI_EXIT_FAIL);
    return CLI_EXIT_OK;
}

const cli_subcommand cli_cmd_export = {&export_cmd, run_export};
