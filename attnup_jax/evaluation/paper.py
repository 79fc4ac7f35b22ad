"""The paper's published numbers (SPEC Sec. 3-4), for tables that put ours beside them."""

# Table IV (trained on T91 + General-100): PSNR dB, (attention, deconvolution).
SR_TABLE_IV = {
    "bsds100": {2: (33.22, 33.19), 4: (27.84, 27.76), 8: (24.72, 24.60)},
    "set5": {2: (36.88, 36.86), 4: (30.66, 30.44), 8: (25.56, 25.42)},
    "set14": {2: (32.52, 32.52), 4: (27.48, 27.37), 8: (23.87, 23.81)},
}
# Table V (trained on BSDS200).
SR_TABLE_V = {
    "bsds100": {2: (33.28, 33.25), 4: (27.82, 27.78), 8: (24.80, 24.74)},
    "set5": {2: (36.84, 36.86), 4: (30.51, 30.41), 8: (25.43, 25.34)},
    "set14": {2: (32.51, 32.48), 4: (27.45, 27.37), 8: (23.87, 23.82)},
}
# Published bicubic PSNR (x2, x4), the check of our resize + PSNR protocol.
SR_BICUBIC = {"set5": {2: 33.66, 4: 28.42}, "set14": {2: 30.24, 4: 26.00},
              "bsds100": {2: 29.56, 4: 25.96}}
# Table II (NYU v2, RMSE cm) at x4 / x8 / x16.
DEPTH_TABLE_II = {
    "Bicubic": {4: 8.16, 8: 14.22, 16: 22.32},
    "DJF": {4: 3.54, 8: 6.20, 16: 10.21},
    "FDKN": {4: 2.65, 8: 5.02, 16: 8.69},
    "Attention (paper)": {4: 2.64, 8: 5.01, 16: 8.63},
}
