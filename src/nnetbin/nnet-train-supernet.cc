// nnet-train-supernet: trains the model (a supernet stage, or one static subnet: fine-tuning)
// on random crops of features with speaker labels.
#include <climits>
#include <memory>
#include <sstream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "gpu/gpu-api.h"
#include "nnet/grad-sync.h"
#include "nnet/model-io.h"
#include "nnet/parallel.h"
#include "nnet/train-data.h"
#include "nnet/trainer.h"
#include "nnet/wave-train-data.h"
#include "util/main-wrapper.h"
#include "util/parse-options.h"

int main(int argc, char *argv[]) {
  return tdnas::RunMain(argc, argv, [&]() -> int {
    using namespace tdnas;
    using namespace tdnas::nnet;
    const char *usage =
        "Train an EfficientTDNN model with AAM-softmax on random feature crops: one stage of\n"
        "progressive shrinking for a supernet (--stage: each step trains --dynamic-walks\n"
        "subnets sampled from the stage's space, largest|kernel|depth|width1|width2), or a\n"
        "single static subnet (a static model, or --subnet=CONFIG cut from a supernet and\n"
        "written as a static model: fine-tuning).\n"
        "Speakers are mapped to class ids (sorted) and stored in the model. Checkpoints\n"
        "(model + optimizer state) are written atomically; --resume continues one exactly.\n"
        "Usage: nnet-train-supernet [options] <supernet-in> <feats-rspecifier> "
        "<utt2spk-rspecifier> <supernet-out>\n"
        "e.g.: nnet-train-supernet --stage=kernel --crop-frames=300 exp/stage0.mdl "
        "scp:data/train/feats.scp ark:data/train/utt2spk exp/stage1.mdl\n"
        "Straight from audio: --wav-rspecifier=scp:wav.scp, with <feats-rspecifier> given as '-'\n"
        "(it must be '-' then): crops are cut from the waves, augmented on the fly (--aug-*: one\n"
        "choice drawn per crop, not per utterance; default none)\n"
        "and turned into fbank features (--fbank-config; default 80 bins, dither 0) in the\n"
        "data threads; nothing is written to disk.\n"
        "e.g.: nnet-train-supernet --wav-rspecifier=scp:data/train/wav.scp "
        "--fbank-config=conf/fbank.conf --aug-choices=none,noise,music,babble,reverb "
        "--aug-noise-list=noise.scp ... exp/stage0.mdl - ark:data/train/utt2spk exp/stage1.mdl\n"
        "Several GPUs (data parallel over NCCL, one process per GPU, --batch-size per GPU; only\n"
        "rank 0 writes): utils/launch_gpus.sh --num-gpus 2 nnet-train-supernet --use-gpu=yes ...\n"
        "or srun --ntasks=2 --gpus-per-task=1 nnet-train-supernet --use-gpu=yes --rendezvous=DIR ...\n";
    ParseOptions po(usage);
    TrainerOptions topts;
    TrainDataOptions dopts;
    std::string subnet, resume, use_gpu = "no", gpu_math = "fp32", wav_rspecifier, fbank_config;
    WaveAugmentOptions aug_opts;
    int32 num_threads = 1;
    bool binary = true;
    GradSyncOptions sync_opts;
    topts.Register(&po);
    dopts.Register(&po);
    sync_opts.Register(&po);
    po.Register("subnet", &subnet,
                "Train only this subnet (fine-tuning); a static model input must be this subnet");
    po.Register("resume", &resume,
                "Continue from this checkpoint (written by an earlier run with the same options)");
    po.Register("num-threads", &num_threads, "CPU threads of the network computation");
    po.Register("binary", &binary, "Write the output model in binary mode");
    po.Register("use-gpu", &use_gpu,
                "no|yes|optional: train on the GPU (supernet, gradients and Adam state on the "
                "device; checkpoints are the same either way)");
    po.Register("gpu-math", &gpu_math,
                "GPU matrix-product precision: fp32 (default; matches the CPU to rounding), tf32 or "
                "bf16 (tensor cores, float32 accumulation and weights)");
    po.Register("wav-rspecifier", &wav_rspecifier,
                "Train from audio (e.g. scp:wav.scp) instead of features; <feats-rspecifier> "
                "must then be '-'");
    po.Register("fbank-config", &fbank_config,
                "With --wav-rspecifier: fbank options file (compute-fbank's); default "
                "--num-mel-bins=80 --dither=0");
    RegisterTrainAugmentOptions(&aug_opts, &po);
    po.Read(argc, argv);
    if (po.NumArgs() != 4) {
      po.PrintUsage();
      return 1;
    }
    gpu::MathMode math_mode;
    if (!gpu::ParseMathMode(gpu_math, &math_mode))
      TD_ERR << "--gpu-math: expected fp32, tf32 or bf16, got '" << gpu_math << "'";
    gpu::SetMathMode(math_mode);
    const bool on_gpu = gpu::SelectDevice(use_gpu);
    // Data parallel when a launcher started several of us (utils/launch_gpus.sh, srun):
    // gradients averaged over the ranks each step; only rank 0 writes files and progress.
    std::unique_ptr<GradSync> sync = NewGradSync(sync_opts, on_gpu);
    SetNumThreads(num_threads);
    const std::string model_in = po.GetArg(1), feats = po.GetArg(2), utt2spk = po.GetArg(3),
                      model_out = po.GetArg(4);
    if (topts.checkpoint.empty()) topts.checkpoint = model_out + ".ckpt";
    if (!sync->IsRoot()) topts.checkpoint.clear();

    NnetModel model;
    ReadNnetModel(resume.empty() ? model_in : resume, &model);
    if (!subnet.empty()) {
      // Fine-tuning: a supernet is cut to this subnet (its weights and BN statistics), which
      // is then trained alone and written as a static model.
      const bool was_super = model.IsSupernet();
      model.CutSubnet(ParseSubnetConfig(subnet));
      if (was_super) TD_LOG << "fine-tuning the subnet " << model.Config().ToString()
                            << " cut from the supernet";
    }
#if defined(__GLIBC__)
    if (!on_gpu && model.IsSupernet() && topts.stage != "largest") {
      // These stages build a new materialised net (and its activation arena, hundreds of MB)
      // most steps. glibc serves such blocks with mmap and returns them to the kernel when
      // freed, so every step page-faulted its arena in again: keep freed memory in the heap
      // (128/384 supernet, width2, batch 64 x 200, 30 steps: 2.5 s -> 0.35 s system time).
      // Not in stage largest, whose one net is reused (there it would only raise peak RSS).
      mallopt(M_MMAP_MAX, 0);
      mallopt(M_TRIM_THRESHOLD, INT_MAX);
    }
#endif
    AamOptions aam;
    aam.margin = topts.aam_margin;
    aam.scale = topts.aam_scale;
    model.SetAamOptions(aam);
    std::unique_ptr<BatchSource> data;
    if (wav_rspecifier.empty()) {
      if (feats == "-") TD_ERR << "<feats-rspecifier> is '-' but no --wav-rspecifier given";
      data.reset(new TrainData(feats, utt2spk, model.Speakers(), dopts,
                               static_cast<uint64>(topts.seed)));
    } else {
      if (feats != "-")
        TD_ERR << "with --wav-rspecifier, <feats-rspecifier> must be '-' (got " << feats << ")";
      FbankOptions fbank;
      fbank.mel_opts.num_bins = 80;
      fbank.frame_opts.dither = 0.0f;
      if (!fbank_config.empty()) {
        ParseOptions fpo("fbank options");
        fbank.Register(&fpo);
        const std::string arg = "--config=" + fbank_config;
        const char *fargv[] = {"nnet-train-supernet", arg.c_str()};
        fpo.Read(2, fargv);
      }
      data.reset(new WaveTrainData(wav_rspecifier, utt2spk, model.Speakers(), dopts, fbank,
                                   aug_opts, static_cast<uint64>(topts.seed)));
    }
    if (model.Speakers().empty()) model.Speakers() = data->Speakers();
    std::unique_ptr<BatchSource> shard;   // this rank's batches: every world-th one
    if (sync->World() > 1) {
      shard.reset(new ShardedBatchSource(data.get(), sync->Rank(), sync->World()));
      sync->Broadcast(&model.ParamBuffer());
    }
    Trainer trainer(topts, &model, shard ? shard.get() : data.get(), !resume.empty(),
                    on_gpu ? Device::kGpu : Device::kCpu);
    if (sync->World() > 1) {
      trainer.SetGradientHook([&](Buffer *grads) { sync->AllReduceMean(grads); });
      trainer.SetLogProgress(sync->IsRoot());
    }
    std::vector<EpochSummary> epochs = trainer.Run();
    if (sync->World() > 1) {
      // BN running statistics saw only this rank's batches: the model gets their mean.
      sync->AllReduceMean(model.IsSupernet() ? &model.Super().StateBuffer()
                                             : &model.Net().StateBuffer());
      if (!sync->IsRoot()) return 0;
    }
    // The output model: weights, BN statistics and the run's position, no optimizer moments.
    model.Train().adam_m.clear();
    model.Train().adam_v.clear();
    WriteNnetModel(model, model_out, binary);
    TD_LOG << "Wrote " << model_out << " after step " << model.Train().step << " of "
           << trainer.TotalSteps() << "; checkpoint " << topts.checkpoint;
    return 0;
  });
}
